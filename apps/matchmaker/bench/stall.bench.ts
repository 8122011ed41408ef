// Resubmissions while ticks run against ticks paused, on one process holding 400k or 1M queued
// players (bench/stall-server.ts): req/s, latency p99 and max, event-loop delay, and where the
// server's CPU went (its event loop vs its other threads: the formation thread, libuv, GC).
// Phases alternate (paused/running, then running/paused) round by round; ratios are taken
// within a round, then the median.
// Usage: pnpm --filter @ticketbooth/matchmaker bench:stall [-- --sizes 400000,1000000 --rounds 3 --duration 10]
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createSigningKey, generateSeed } from '@ticketbooth/tickets';
import { BENCH_TICKET_TTL_MS, STALL_POOLS, benchTicket, crowdRatings } from './bench-support.ts';
import { cpuByThread, median, pinLoadToCore1, pinning, runLoad, startBenchServer, stopBenchServer, type LoadFigure } from './load-support.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    sizes: { type: 'string', default: '400000,1000000' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    // autocannon's request list past a few thousand leaves a few dozen connections in 10 s timeouts
    // (a plain node:http server too): 4,000 distinct tickets, each resubmitted many times.
    tickets: { type: 'string', default: '4000' },
    connections: { type: 'string', default: '64' },
    arrivals: { type: 'string', default: '2000' },
    json: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const DURATION_S = Number(args.duration);
const TICKETS = Number(args.tickets);

interface Phase extends LoadFigure {
  readonly ticking: boolean;
  readonly loopDelayMs: { p50: number; p99: number; max: number };
  readonly matchesPerSecond: number;
  readonly formations: number;
  /** Cores used by the server's event loop and by its other threads over the phase. */
  readonly mainCores: number;
  readonly otherCores: number;
}

interface Stats {
  queued: number;
  ticking: boolean;
  formations: number;
  busyPools: number;
  matchesSinceReset: number;
  secondsSinceReset: number;
  loopDelayMs: { p50: number; p99: number; max: number };
}

async function measure(players: number) {
  const issuer = createSigningKey(generateSeed());
  const now = Date.now();
  const rating = crowdRatings(11);
  // Real tickets among the crowd, in its four pools, with its kind of ratings: none has a partner.
  const tokens = Array.from({ length: TICKETS }, (_, i) => {
    const [mode, region] = STALL_POOLS[i % STALL_POOLS.length]!.split('/') as [string, string];
    return benchTicket(issuer, i, now, BENCH_TICKET_TTL_MS, { pool: { mode, region }, rating: rating() });
  });
  const filling = performance.now();
  const server = await startBenchServer('bench/stall-server.ts', { BENCH_ISSUER_PUBLIC: issuer.publicPaserk, BENCH_PLAYERS: String(players), BENCH_ARRIVALS: args.arrivals! });
  const controlPort = Number(/control (\d+)/.exec(server.line)![1]);
  const control = async (path: string): Promise<Stats> => (await fetch(`http://127.0.0.1:${controlPort}${path}`)).json() as Promise<Stats>;
  console.log(`  ${players.toLocaleString('en')} players queued in ${((performance.now() - filling) / 1000).toFixed(1)} s; queueing ${TICKETS.toLocaleString('en')} real tickets`);
  const resubmit: autocannon.Options = {
    url: `http://127.0.0.1:${server.port}/v1/queue`,
    requests: tokens.map((token) => ({ method: 'POST', path: '/v1/queue', headers: { authorization: `Bearer ${token}` } })),
  };
  await autocannon({ ...resubmit, connections: 8, amount: TICKETS });
  const phases: { paused: Phase; running: Phase }[] = [];
  const phase = async (ticking: boolean): Promise<Phase> => {
    await control(`/ticks?on=${ticking ? 1 : 0}`);
    // A paused phase starts once no formation is under way: the last one must not count there.
    while (!ticking && (await control('/stats')).busyPools > 0) await sleep(100);
    await control('/reset');
    const before = cpuByThread(server.child.pid!);
    const started = performance.now();
    const load = await runLoad(server.child, { ...resubmit, connections: Number(args.connections), duration: DURATION_S });
    const seconds = (performance.now() - started) / 1000;
    const after = cpuByThread(server.child.pid!);
    const stats = await control('/stats');
    return {
      ...load,
      ticking,
      loopDelayMs: stats.loopDelayMs,
      matchesPerSecond: stats.matchesSinceReset / stats.secondsSinceReset,
      formations: stats.formations,
      mainCores: (after.main - before.main) / seconds,
      otherCores: (after.others - before.others) / seconds,
    };
  };
  const show = (p: Phase) =>
    `${p.ticking ? 'ticks running' : 'ticks paused '}: ${p.rps.toFixed(0)} req/s, p50/p99/max ${p.p50}/${p.p99}/${p.max} ms, non-2xx ${p.non2xx}, errors ${p.errors}; ` +
    `loop delay p99/max ${p.loopDelayMs.p99}/${p.loopDelayMs.max} ms; ${p.matchesPerSecond.toFixed(0)} matches/s; cores: loop ${p.mainCores.toFixed(2)}, other threads ${p.otherCores.toFixed(2)}`;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [false, true] : [true, false];
    const figures: Partial<Record<'paused' | 'running', Phase>> = {};
    for (const ticking of order) {
      const figure = await phase(ticking);
      figures[ticking ? 'running' : 'paused'] = figure;
      console.log(`    round ${round + 1}/${ROUNDS} ${show(figure)}`);
    }
    phases.push(figures as { paused: Phase; running: Phase });
  }
  await control('/ticks?on=0');
  const queued = (await control('/stats')).queued;
  await stopBenchServer(server.child);
  return {
    players,
    queuedAtEnd: queued,
    phases,
    p99Ratio: median(phases.map((p) => p.running.p99 / Math.max(1, p.paused.p99))),
    rpsRatio: median(phases.map((p) => p.running.rps / p.paused.rps)),
    paused: { rps: median(phases.map((p) => p.paused.rps)), p99: median(phases.map((p) => p.paused.p99)), max: median(phases.map((p) => p.paused.max)) },
    running: {
      rps: median(phases.map((p) => p.running.rps)),
      p99: median(phases.map((p) => p.running.p99)),
      max: median(phases.map((p) => p.running.max)),
      loopMax: median(phases.map((p) => p.running.loopDelayMs.max)),
      matchesPerSecond: median(phases.map((p) => p.running.matchesPerSecond)),
      otherCores: median(phases.map((p) => p.running.otherCores)),
      mainCores: median(phases.map((p) => p.running.mainCores)),
    },
  };
}

console.log(
  `tick stall bench: ${cpus()[0]?.model ?? 'cpu'} x${availableParallelism()}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}, ` +
    `${pinning ? 'server on core 0 (its formation thread too), autocannon on core 1' : 'no pinning'}; ${ROUNDS} rounds of ${DURATION_S} s per phase`,
);
pinLoadToCore1();
const results = [];
for (const players of args.sizes!.split(',').map(Number)) {
  console.log(`${players.toLocaleString('en')} queued players, ${args.arrivals} arrivals/s matched`);
  results.push(await measure(players));
}
console.log('\n| queued | paused: req/s, p99, max | running: req/s, p99, max | p99 running / paused | req/s running / paused | loop delay max (running) | matches/s | cores (running): loop, other threads |');
console.log('|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const r of results) {
  console.log(
    `| ${r.players.toLocaleString('en')} | ${r.paused.rps.toFixed(0)}, ${r.paused.p99} ms, ${r.paused.max} ms | ${r.running.rps.toFixed(0)}, ${r.running.p99} ms, ${r.running.max} ms | ` +
      `**${r.p99Ratio.toFixed(2)}** (≤ 2) | **${r.rpsRatio.toFixed(2)}** (≥ 0.9) | ${r.running.loopMax} ms | ${r.running.matchesPerSecond.toFixed(0)} | ${r.running.mainCores.toFixed(2)}, ${r.running.otherCores.toFixed(2)} |`,
  );
}
if (args.json) writeFileSync(args.json, JSON.stringify({ startedAt: new Date(), results }, null, 2));
