// The matchmaker bench, in one run: resubmit req/s through the real HTTP endpoint next to a
// bare Hono hello-world, heap per queued player at 1,000,000 players, formMatches at 10k/100k.
// Usage: pnpm --filter @ticketbooth/matchmaker bench [--players 1000000] [--duration 3] [--rounds 7] [--json file]
import { spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { createSigningKey, generateSeed } from '@ticketbooth/tickets';
import { BENCH_TICKET_TTL_MS, benchTicket } from './bench-support.ts';
import { timeTicks, type TickFigure } from './form-matches.ts';
import { loadTickSource, timeFullTick } from './full-tick.ts';
import { APP_DIR, median, pinLoadToCore1, pinning, runLoad, startBenchServer, stopBenchServer, type LoadFigure } from './load-support.ts';

const { values: args } = parseArgs({
  // pnpm passes a literal "--" through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    players: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '7' },
    tickets: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '64' },
    json: { type: 'string' },
    /** For profiling one part; the recorded run measures all three. */
    only: { type: 'string' },
    /** Writes a V8 CPU profile of each server (node --cpu-prof) into this folder. */
    profile: { type: 'string' },
  },
});
const DURATION_S = Number(args.duration);
const ROUNDS = Number(args.rounds);
const TICKETS = Number(args.tickets);
const CONNECTIONS = Number(args.connections);
const startServer = (script: string, env: Record<string, string> = {}) => startBenchServer(script, env, args.profile);
// SIGTERM lets a profiled server write its profile on the way out.
const stop = (child: ChildProcess) => stopBenchServer(child, args.profile !== undefined);
const load = (server: ChildProcess, options: autocannon.Options) => runLoad(server, { ...options, connections: CONNECTIONS, duration: DURATION_S });

async function measureThroughput() {
  // autocannon (this process) runs on the other core from the servers: all its threads, or its
  // garbage collector's helpers would run on the servers' core and slow whichever is measured.
  pinLoadToCore1();
  const issuer = createSigningKey(generateSeed());
  const now = Date.now();
  const tokens = Array.from({ length: TICKETS }, (_, i) => benchTicket(issuer, i, now, BENCH_TICKET_TTL_MS));
  const hello = await startServer('bench/hello-server.ts');
  const mm = await startServer('bench/matchmaker-server.ts', { BENCH_ISSUER_PUBLIC: issuer.publicPaserk });
  const helloUrl = `http://127.0.0.1:${hello.port}/`;
  const queueUrl = `http://127.0.0.1:${mm.port}/v1/queue`;
  // Static requests are serialized once and shared by all connections; a per-request
  // setupRequest would make autocannon, not the server, the bottleneck.
  const resubmit: autocannon.Options = {
    url: queueUrl,
    requests: tokens.map((token) => ({ method: 'POST', path: '/v1/queue', headers: { authorization: `Bearer ${token}` } })),
  };
  // Cache warm: every ticket queued once (one Ed25519 verify each) before measuring.
  await autocannon({ ...resubmit, connections: 1, amount: TICKETS });
  const sameRequest: autocannon.Options = { ...resubmit, url: `http://127.0.0.1:${hello.port}/v1/queue` };
  const rounds: { hello: LoadFigure; helloSameRequest: LoadFigure; resubmit: LoadFigure }[] = [];
  const show = (f: LoadFigure) =>
    `${f.rps.toFixed(0)} req/s (server ${f.cpuUsPerRequest.toFixed(1)} µs CPU/req, busy ${(f.serverBusy * 100).toFixed(0)}%; client ${f.clientCpuUsPerRequest.toFixed(1)} µs/req; p99 ${f.p99} ms, non-2xx ${f.non2xx})`;
  const cases = [
    (): Promise<LoadFigure> => load(hello.child, { url: helloUrl }),
    (): Promise<LoadFigure> => load(hello.child, sameRequest),
    (): Promise<LoadFigure> => load(mm.child, resubmit),
  ];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotated so no case always runs right after the same neighbour.
    const figures: LoadFigure[] = [];
    for (let k = 0; k < cases.length; k++) {
      const which = (round + k) % cases.length;
      figures[which] = await cases[which]!();
    }
    const [h, s, r] = figures as [LoadFigure, LoadFigure, LoadFigure];
    rounds.push({ hello: h, helloSameRequest: s, resubmit: r });
    console.log(`  round ${round + 1}/${ROUNDS}: hello GET ${show(h)}; hello POST+ticket ${show(s)}; resubmit ${show(r)}`);
  }
  await stop(hello.child);
  await stop(mm.child);
  const helloRps = median(rounds.map((r) => r.hello.rps));
  const resubmitRps = median(rounds.map((r) => r.resubmit.rps));
  const helloCpu = median(rounds.map((r) => r.hello.cpuUsPerRequest));
  const sameRps = median(rounds.map((r) => r.helloSameRequest.rps));
  const sameCpu = median(rounds.map((r) => r.helloSameRequest.cpuUsPerRequest));
  const resubmitCpu = median(rounds.map((r) => r.resubmit.cpuUsPerRequest));
  // Ratios are taken within each round (cases seconds apart), then the median: the
  // machine's speed drifts more between rounds than between neighbouring slices.
  return {
    rounds,
    hello: helloRps,
    resubmit: resubmitRps,
    ratio: median(rounds.map((r) => r.resubmit.rps / r.hello.rps)),
    helloCpu,
    resubmitCpu,
    cpuRatio: median(rounds.map((r) => r.hello.cpuUsPerRequest / r.resubmit.cpuUsPerRequest)),
    sameRps,
    sameCpu,
    sameRatio: median(rounds.map((r) => r.resubmit.rps / r.helloSameRequest.rps)),
    sameCpuRatio: median(rounds.map((r) => r.helloSameRequest.cpuUsPerRequest / r.resubmit.cpuUsPerRequest)),
    resubmitNon2xx: rounds.reduce((sum, r) => sum + r.resubmit.non2xx, 0),
  };
}

function measureMemory(players: number) {
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=4096', '--import', 'tsx', '--conditions=@ticketbooth/source', 'bench/memory.ts', String(players)],
    { cwd: APP_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (run.status !== 0) throw new Error(`memory run failed (${run.status})`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { players: number; bytesPerPlayer: number; heapMiB: number; rssMiB: number; seconds: number };
}

function measureTicks(): TickFigure[] {
  const shared = parseSharedConfig(DEMO_CONFIG);
  const five = { ...shared.modes.squad!, teamSize: 5 };
  const figures: TickFigure[] = [];
  for (const players of [10_000, 100_000]) {
    figures.push(timeTicks(players, 'duel 1v1', shared.modes.duel!));
    figures.push(timeTicks(players, 'squad 4v4', shared.modes.squad!));
    figures.push(timeTicks(players, '5v5', five));
  }
  return figures;
}

const startedAt = new Date();
console.log(`matchmaker bench: ${cpus()[0]?.model ?? 'cpu'} x${availableParallelism()}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}, pinning ${pinning ? 'server core 0 / load core 1' : 'off'}`);
const runs = (part: string) => args.only === undefined || args.only === part;
if (runs('ticks')) console.log('formMatches ticks...');
const ticks = runs('ticks') ? measureTicks() : [];
const tickSource = await loadTickSource();
const fullTicks = runs('ticks') ? [await timeFullTick(tickSource, 100_000, 'duel/eu'), await timeFullTick(tickSource, 100_000, 'squad/eu')] : [];
if (runs('throughput')) console.log('resubmit throughput...');
const throughput = runs('throughput')
  ? await measureThroughput()
  : { rounds: [], hello: NaN, resubmit: NaN, ratio: NaN, helloCpu: NaN, resubmitCpu: NaN, cpuRatio: NaN, sameRps: NaN, sameCpu: NaN, sameRatio: NaN, sameCpuRatio: NaN, resubmitNon2xx: 0 };
if (runs('memory')) console.log(`memory at ${Number(args.players).toLocaleString('en')} players (real submit path; takes a while)...`);
const memory = runs('memory') ? measureMemory(Number(args.players)) : { players: 0, bytesPerPlayer: NaN, heapMiB: NaN, rssMiB: NaN, seconds: NaN };

const tick100k = Math.max(...ticks.filter((t) => t.players === 100_000).map((t) => t.medianMs));
// Only the targets of the parts that ran (--only): a part not run is neither a pass nor a miss.
const targets = [
  ...(runs('throughput')
    ? [
        { label: 'resubmit >= 0.85 x bare Hono (req/s)', figure: `${throughput.ratio.toFixed(2)} x`, pass: throughput.ratio >= 0.85 && throughput.resubmitNon2xx === 0 },
        { label: 'resubmit >= 0.85 x bare Hono answering the same POST + ticket (req/s)', figure: `${throughput.sameRatio.toFixed(2)} x`, pass: throughput.sameRatio >= 0.85 },
      ]
    : []),
  ...(runs('memory') ? [{ label: '< 1 KiB per queued player', figure: `${memory.bytesPerPlayer.toFixed(0)} B`, pass: memory.bytesPerPlayer < 1024 }] : []),
  ...(runs('ticks') ? [{ label: '100k-player tick < 100 ms (slowest mode)', figure: `${tick100k.toFixed(1)} ms`, pass: tick100k < 100 }] : []),
];

console.log('\n| measure | figure |\n|---|---|');
if (runs('throughput')) printThroughput();
if (runs('memory')) {
  console.log(`| heap per queued player at ${memory.players.toLocaleString('en')} | ${memory.bytesPerPlayer.toFixed(0)} B (heap +${memory.heapMiB.toFixed(0)} MiB, RSS +${memory.rssMiB.toFixed(0)} MiB) |`);
}
function printThroughput(): void {
  console.log(`| bare Hono hello-world (GET /), median of ${ROUNDS} | ${throughput.hello.toFixed(0)} req/s, ${throughput.helloCpu.toFixed(1)} µs CPU/req |`);
  console.log(
    `| resubmit (POST /v1/queue, ${TICKETS.toLocaleString('en')} distinct queued tickets), median of ${ROUNDS} | ${throughput.resubmit.toFixed(0)} req/s, ${throughput.resubmitCpu.toFixed(1)} µs CPU/req |`,
  );
  console.log(`| bare Hono, same POST /v1/queue + 700-byte ticket, median of ${ROUNDS} | ${throughput.sameRps.toFixed(0)} req/s, ${throughput.sameCpu.toFixed(1)} µs CPU/req |`);
  console.log(`| resubmit / bare Hono GET (median of per-round ratios) | ${throughput.ratio.toFixed(2)} by req/s, ${throughput.cpuRatio.toFixed(2)} by CPU per request |`);
  console.log(`| resubmit / bare Hono same request | ${throughput.sameRatio.toFixed(2)} by req/s, ${throughput.sameCpuRatio.toFixed(2)} by CPU per request |`);
}
for (const t of ticks) console.log(`| formMatches ${t.players.toLocaleString('en')} players, ${t.mode} | ${t.medianMs.toFixed(1)} ms (${t.matches.toLocaleString('en')} matches) |`);
for (const t of fullTicks) {
  console.log(
    `| whole tick ${t.players.toLocaleString('en')} players, ${t.pool}, median of 3, until every match is settled and signed | ${(t.cpuS * 1000).toFixed(0)} ms CPU, ${(t.wallS * 1000).toFixed(0)} ms wall, ${t.matched.toLocaleString('en')} players matched: ${t.matchedPerCpuSecond.toFixed(0)} per CPU second |`,
  );
}
console.log('\n| target | figure | |\n|---|---|---|');
for (const t of targets) console.log(`| ${t.label} | ${t.figure} | ${t.pass ? 'PASS' : 'MISS'} |`);
if (args.json) writeFileSync(args.json, JSON.stringify({ startedAt, throughput, memory, ticks, fullTicks, targets }, null, 2));
