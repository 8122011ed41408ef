// Parts 1 and 2: resubmit throughput of the three servers in interleaved rounds, then the cold
// path (every ticket new) with the verify-offload experiment and raw Ed25519 beside it.
import { spawnSync, type ChildProcess } from 'node:child_process';
import type { SigningKey } from '@ticketbooth/tickets';
import { benchTicket } from '@ticketbooth/matchmaker/bench/bench-support.ts';
import { BENCH_DIR, REPO_DIR, canPin, cpuSeconds, startBenchServer, stop } from './children.ts';
import type { LoadJob, LoadResult, LoadRunner } from './load.ts';
import { openBenchDb, seedSessions } from './redis-sessions.ts';
import { median, medianRatio, spread } from './stats.ts';

const MATCHMAKER_BENCH = `${REPO_DIR}apps/matchmaker/bench/`;

export interface CaseFigure {
  readonly name: string;
  readonly rps: number;
  readonly spread: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUsPerRequest: number;
  /** CPU of the redis-server process per request, for the baseline; 0 for the others. */
  readonly storeCpuUsPerRequest: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly rounds: readonly number[];
}

export interface ThroughputOptions {
  readonly issuer: SigningKey;
  readonly load: LoadRunner;
  readonly rounds: number;
  readonly durationS: number;
  readonly connections: number;
  readonly tickets: number;
  /** Distinct bearers in each static request list. */
  readonly distinct: number;
  readonly redisDb: number;
  readonly log: (line: string) => void;
}

interface Measured {
  readonly result: LoadResult;
  readonly cpuUsPerRequest: number;
  readonly storeCpuUsPerRequest: number;
}

/** A load run, with the CPU the server (and the store it calls, if any) spent per request. */
async function measure(load: LoadRunner, server: ChildProcess, job: LoadJob, storePid?: number): Promise<Measured> {
  const before = cpuSeconds(server.pid!);
  const storeBefore = storePid === undefined ? 0 : cpuSeconds(storePid);
  const result = await load.run(job);
  const perRequest = (seconds: number) => (seconds * 1e6) / Math.max(1, result.total);
  return {
    result,
    cpuUsPerRequest: perRequest(cpuSeconds(server.pid!) - before),
    storeCpuUsPerRequest: storePid === undefined ? 0 : perRequest(cpuSeconds(storePid) - storeBefore),
  };
}

function figure(name: string, runs: readonly Measured[]): CaseFigure {
  const rps = runs.map((r) => r.result.rps);
  return {
    name,
    rps: median(rps),
    spread: spread(rps),
    p50: median(runs.map((r) => r.result.p50)),
    p99: median(runs.map((r) => r.result.p99)),
    cpuUsPerRequest: median(runs.map((r) => r.cpuUsPerRequest)),
    storeCpuUsPerRequest: median(runs.map((r) => r.storeCpuUsPerRequest)),
    non2xx: runs.reduce((sum, r) => sum + r.result.non2xx, 0),
    errors: runs.reduce((sum, r) => sum + r.result.errors, 0),
    rounds: rps,
  };
}

const show = (m: Measured) => `${m.result.rps.toFixed(0)} req/s p99 ${m.result.p99} ms`;

export async function measureResubmit(o: ThroughputOptions) {
  const now = Date.now();
  const tokens = Array.from({ length: o.tickets }, (_, i) => benchTicket(o.issuer, i, now));
  const redis = await openBenchDb(o.redisDb);
  try {
    const sessionIds = await seedSessions(redis, o.tickets, 300, now);
    const redisPid = redisServerPid(await redis.info('server'));
    const hello = await startBenchServer(`${MATCHMAKER_BENCH}hello-server.ts`, { core: 0 });
    const ticketbooth = await startBenchServer(`${MATCHMAKER_BENCH}matchmaker-server.ts`, { core: 0, env: { BENCH_ISSUER_PUBLIC: o.issuer.publicPaserk } });
    const baseline = await startBenchServer(`${BENCH_DIR}src/servers/redis-session-server.ts`, { core: 0, env: { BENCH_REDIS_DB: String(o.redisDb) } });
    // autocannon keeps a serialized copy of a static list per connection: a few thousand of the
    // queued tickets per case keep that copy small (all of them were queued by the warm-up).
    const bearer = (list: readonly string[]) => list.slice(0, o.distinct).map((t) => ({ method: 'POST' as const, path: '/v1/queue', headers: { authorization: `Bearer ${t}` } }));
    const cases: { name: string; server: ChildProcess; job: LoadJob; storePid?: number }[] = [
      { name: 'ceiling: bare Hono GET /', server: hello.child, job: { url: `${hello.url}/`, connections: o.connections, duration: o.durationS } },
      {
        name: 'bare Hono, same POST + ticket',
        server: hello.child,
        job: { url: `${hello.url}/v1/queue`, connections: o.connections, duration: o.durationS, requests: bearer(tokens) },
      },
      {
        name: 'Ticketbooth resubmit',
        server: ticketbooth.child,
        job: { url: `${ticketbooth.url}/v1/queue`, connections: o.connections, duration: o.durationS, requests: bearer(tokens) },
      },
      {
        name: 'baseline: Redis session lookup',
        server: baseline.child,
        job: { url: `${baseline.url}/v1/queue`, connections: o.connections, duration: o.durationS, requests: bearer(sessionIds) },
        ...(redisPid === undefined ? {} : { storePid: redisPid }),
      },
    ];
    // Cache warm and every player queued (one Ed25519 verify each) before anything is measured.
    o.log(`  queueing ${o.tickets} tickets and ${o.tickets} Redis sessions once (warm-up)`);
    // Each bearer sent once (the hello server too, to warm its JIT as much).
    const bearers = [undefined, tokens, tokens, sessionIds];
    for (const [i, c] of cases.entries()) {
      const list = bearers[i];
      const warm = await o.load.run(list ? { url: c.job.url, connections: 16, amount: list.length, freshTokens: list } : { ...c.job, duration: 2 });
      if (warm.non2xx > 0) throw new Error(`${c.name}: ${warm.non2xx} non-2xx answers while warming`);
      o.log(`  warmed ${c.name}: ${warm.total} requests at ${warm.rps.toFixed(0)} req/s`);
    }
    const runs = cases.map(() => [] as Measured[]);
    for (let round = 0; round < o.rounds; round++) {
      // Rotate the order so a noisy spell does not always hit the same case.
      for (let k = 0; k < cases.length; k++) {
        const i = (k + round) % cases.length;
        runs[i]!.push(await measure(o.load, cases[i]!.server, cases[i]!.job, cases[i]!.storePid));
      }
      o.log(`  round ${round + 1}/${o.rounds}: ${cases.map((c, i) => `${c.name.split(':')[0]} ${show(runs[i]!.at(-1)!)}`).join('; ')}`);
    }
    for (const server of [hello, ticketbooth, baseline]) await stop(server.child);
    const figures = cases.map((c, i) => figure(c.name, runs[i]!));
    const rps = (i: number) => runs[i]!.map((r) => r.result.rps);
    return {
      figures,
      ticketboothOverCeiling: medianRatio(rps(2), rps(0)),
      ticketboothOverSameRequest: medianRatio(rps(2), rps(1)),
      ticketboothOverRedis: medianRatio(rps(2), rps(3)),
    };
  } finally {
    await redis.flushdb();
    redis.disconnect();
  }
}

/** redis-server's pid from INFO, when its /proc entry is readable here (same machine). */
function redisServerPid(info: string): number | undefined {
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  try {
    cpuSeconds(pid);
    return pid;
  } catch {
    return undefined;
  }
}

export interface ColdOptions extends ThroughputOptions {
  /** Requests per round and case; each one a ticket its server has never seen. */
  readonly coldRequests: number;
}

/** Raw Ed25519 verify in a child on the servers' core. */
function rawVerify(ms: number): number {
  const node = [process.execPath, '--import', 'tsx', `${BENCH_DIR}src/raw-verify.ts`, String(ms)];
  const [command, ...args] = canPin ? ['taskset', '-c', '0', ...node] : node;
  const run = spawnSync(command!, args, { cwd: BENCH_DIR, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`raw verify failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { opsPerSecond: number }).opsPerSecond;
}

export async function measureCold(o: ColdOptions) {
  const now = Date.now();
  // Players 1e6 and up: none of them was queued by the warm part.
  const fresh = Array.from({ length: o.rounds * o.coldRequests }, (_, i) => benchTicket(o.issuer, 1_000_000 + i, now));
  const env = { BENCH_ISSUER_PUBLIC: o.issuer.publicPaserk };
  // The matchmaker verifies new tickets on libuv's thread pool: pinned to one core that
  // only frees the event loop; allowed both, the pool's threads use the second core too.
  const oneCore = await startBenchServer(`${MATCHMAKER_BENCH}matchmaker-server.ts`, { core: 0, env });
  const bothCores = await startBenchServer(`${MATCHMAKER_BENCH}matchmaker-server.ts`, { core: 'any', env });
  const cases = [
    { name: 'Ticketbooth cold, server on core 0', server: oneCore },
    { name: 'Ticketbooth cold, server on both cores (load generator shares core 1)', server: bothCores },
  ];
  const runs = cases.map(() => [] as Measured[]);
  const raw: number[] = [];
  try {
    for (let round = 0; round < o.rounds; round++) {
      // The matchmaker gets tokens it has never seen; the verify servers have no cache at all.
      const tokens = fresh.slice(round * o.coldRequests, (round + 1) * o.coldRequests);
      for (let k = 0; k < cases.length; k++) {
        const i = (k + round) % cases.length;
        const job: LoadJob = { url: `${cases[i]!.server.url}/v1/queue`, connections: o.connections, amount: o.coldRequests, freshTokens: tokens };
        const measured = await measure(o.load, cases[i]!.server.child, job);
        if (measured.result.tokensShort > 0) throw new Error(`${cases[i]!.name}: ran out of fresh tokens`);
        runs[i]!.push(measured);
      }
      raw.push(rawVerify(1_000));
      o.log(`  cold round ${round + 1}/${o.rounds}: ${cases.map((c, i) => `${show(runs[i]!.at(-1)!)}`).join('; ')}; raw verify ${raw.at(-1)!.toFixed(0)} ops/s`);
    }
  } finally {
    for (const c of cases) await stop(c.server.child);
  }
  const figures = cases.map((c, i) => figure(c.name, runs[i]!));
  const rps = (i: number) => runs[i]!.map((r) => r.result.rps);
  return {
    figures,
    rawVerifyOps: median(raw),
    coldOverRaw: medianRatio(rps(0), raw),
    bothOverOne: medianRatio(rps(1), rps(0)),
  };
}
