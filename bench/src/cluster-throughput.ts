// Part 8a: resubmissions of queued tickets through HAProxy to one matchmaker and to two (two
// shards, pools split), and the same load straight to one matchmaker, in rotated rounds against
// one cluster; the CPU each process used, from /proc.
import { createSigningKey } from '@ticketbooth/tickets';
import { benchTicket } from '@ticketbooth/matchmaker/bench/bench-support.ts';
import { startBenchCluster, type BenchCluster } from './bench-cluster.ts';
import { cpuSeconds } from './children.ts';
import type { LoadJob, LoadRunner } from './load.ts';
import { median, medianRatio, spread } from './stats.ts';

export interface ClusterThroughputOptions {
  readonly load: LoadRunner;
  readonly databaseUrl: string;
  readonly rounds: number;
  readonly durationS: number;
  readonly connections: number;
  /** Queued tickets each case's request list cycles over. */
  readonly distinct: number;
  readonly log: (line: string) => void;
}

export interface ClusterCase {
  readonly name: string;
  readonly rps: number;
  readonly spread: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  /**
   * Cores each process used while the load ran (CPU seconds / seconds of load), medians of rounds;
   * the load generator's include serializing its request lists before the load starts.
   */
  readonly cores: Record<string, number>;
  /** HAProxy's CPU per request in µs (= ms per 1,000 requests); 0 when the load went direct. */
  readonly haproxyUsPerRequest: number;
  /** The matchmakers' CPU per request together, µs. */
  readonly matchmakersUsPerRequest: number;
  readonly rounds: readonly number[];
}

export interface ClusterThroughput {
  readonly cases: readonly ClusterCase[];
  readonly proxyOverDirect: number;
  readonly twoOverOne: number;
}

interface Round {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly cpu: Record<string, number>;
  /** Seconds of load: autocannon first serializes each connection's request list, with the servers idle. */
  readonly seconds: number;
}

/** Process name → pid, for CPU time: both matchmakers, HAProxy, the load generator. */
function processesOf(cluster: BenchCluster, load: LoadRunner): Record<string, number> {
  return {
    'matchmaker a': cluster.matchmaker('a', 'primary').process.pid,
    'matchmaker b': cluster.matchmaker('b', 'primary').process.pid,
    haproxy: cluster.haproxy.pid,
    // Its CPU includes serializing each connection's request list before the load starts.
    'load generator (with setup)': load.pid,
  };
}

async function measure(load: LoadRunner, pids: Record<string, number>, job: LoadJob): Promise<Round> {
  const cpu = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const before = cpu();
  const result = await load.run(job);
  const after = cpu();
  const seconds = result.total / result.rps;
  const used = Object.fromEntries(Object.keys(pids).map((name) => [name, after[name]! - before[name]!]));
  return { rps: result.rps, p50: result.p50, p99: result.p99, total: result.total, non2xx: result.non2xx, errors: result.errors, cpu: used, seconds };
}

function caseFigure(name: string, rounds: readonly Round[]): ClusterCase {
  const names = Object.keys(rounds[0]!.cpu);
  const perRequest = (pick: (r: Round) => number) => median(rounds.map((r) => (pick(r) * 1e6) / Math.max(1, r.total)));
  return {
    name,
    rps: median(rounds.map((r) => r.rps)),
    spread: spread(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    cores: Object.fromEntries(names.map((n) => [n, median(rounds.map((r) => r.cpu[n]! / r.seconds))])),
    haproxyUsPerRequest: name.startsWith('direct') ? 0 : perRequest((r) => r.cpu.haproxy!),
    matchmakersUsPerRequest: perRequest((r) => r.cpu['matchmaker a']! + r.cpu['matchmaker b']!),
    rounds: rounds.map((r) => r.rps),
  };
}

/** Sends every ticket once (a full verify each), again while any answer was not 2xx (503 busy). */
async function queueAll(load: LoadRunner, url: string, tokens: readonly string[]): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await load.run({ url, connections: 16, amount: tokens.length, freshTokens: tokens });
    if (result.non2xx + result.errors === 0) return;
  }
  throw new Error(`${url}: tickets still refused after 3 passes`);
}

export async function measureClusterThroughput(o: ClusterThroughputOptions): Promise<ClusterThroughput> {
  // Shard a serves duel/eu and squad/eu, b the /na pools; nothing matches or goes stale, so
  // every request is a resubmission of a queued ticket.
  const cluster = await startBenchCluster(o.databaseUrl, { backups: false, issuers: 1, env: { WARMUP_MS: '3600000', STALE_AFTER_MS: '3600000' } });
  try {
    const key = createSigningKey(cluster.secret);
    const now = Date.now();
    // benchTicket puts even players in squad/eu (shard a), odd ones in squad/na (shard b).
    const onA = Array.from({ length: o.distinct }, (_, i) => benchTicket(key, 2 * i, now));
    const onB = Array.from({ length: o.distinct / 2 }, (_, i) => benchTicket(key, 2 * i + 1, now));
    const direct = `http://127.0.0.1:${cluster.matchmaker('a', 'primary').port}`;
    o.log(`  queueing ${onA.length} tickets on shard a and ${onB.length} on shard b through HAProxy`);
    await queueAll(o.load, `${cluster.url}/shards/a/v1/queue`, onA);
    await queueAll(o.load, `${cluster.url}/shards/b/v1/queue`, onB);
    const post = (path: string, token: string) => ({ method: 'POST' as const, path, headers: { authorization: `Bearer ${token}` } });
    const job = (url: string, requests: LoadJob['requests']): LoadJob => ({ url, connections: o.connections, duration: o.durationS, requests });
    const cases = [
      { name: 'direct to one matchmaker (no proxy)', job: job(`${direct}/v1/queue`, onA.map((t) => post('/v1/queue', t))) },
      { name: 'HAProxy → 1 matchmaker', job: job(`${cluster.url}/shards/a/v1/queue`, onA.map((t) => post('/shards/a/v1/queue', t))) },
      {
        name: 'HAProxy → 2 matchmakers (2 shards)',
        job: job(`${cluster.url}/shards/a/v1/queue`, onB.flatMap((t, i) => [post('/shards/a/v1/queue', onA[i]!), post('/shards/b/v1/queue', t)])),
      },
    ];
    const pids = processesOf(cluster, o.load);
    // One short pass of each case first: HAProxy's and the matchmakers' connections and JIT warm.
    for (const c of cases) await o.load.run({ ...c.job, duration: 1 });
    const runs = cases.map(() => [] as Round[]);
    for (let round = 0; round < o.rounds; round++) {
      for (let k = 0; k < cases.length; k++) {
        const i = (k + round) % cases.length;
        runs[i]!.push(await measure(o.load, pids, cases[i]!.job));
      }
      o.log(`  round ${round + 1}/${o.rounds}: ${cases.map((c, i) => `${c.name} ${runs[i]!.at(-1)!.rps.toFixed(0)} req/s`).join('; ')}`);
    }
    const rps = (i: number) => runs[i]!.map((r) => r.rps);
    return {
      cases: cases.map((c, i) => caseFigure(c.name, runs[i]!)),
      proxyOverDirect: medianRatio(rps(1), rps(0)),
      twoOverOne: medianRatio(rps(2), rps(1)),
    };
  } finally {
    await cluster.close();
  }
}
