// The suite's one table (markdown, so it pastes into BENCHMARKS.md) and its plots.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TickFigure } from '@ticketbooth/matchmaker/bench/form-matches.ts';
import type { measureQuality } from './quality.ts';
import { formatCores, type RebuildFigure } from './rebuild.ts';
import type { ClusterThroughput } from './cluster-throughput.ts';
import { HEALTH, type FailoverFigure } from './failover.ts';
import type { MemoryFigure } from './scale.ts';
import type { FloodCase, PipelineFigure } from './flood.ts';
import type { SoakResult } from './soak.ts';
import { perMinute, type Growth } from './soak-figures.ts';
import { median } from './stats.ts';
import { barChart, lineChart } from './svg.ts';
import { timeChart } from './time-chart.ts';
import type { CaseFigure, measureCold, measureResubmit } from './throughput.ts';

export interface SuiteResults {
  readonly startedAt: string;
  readonly machine: { cpu: string; cores: number; node: string; platform: string; pinning: string; loadAtStart: string };
  readonly command: string;
  /** 1-minute load average at the end of each part: the machine is shared. */
  readonly loadByPart: Record<string, string>;
  /** Parts that threw, with the message; the others still ran. */
  readonly failures: Record<string, string>;
  resubmit?: Awaited<ReturnType<typeof measureResubmit>>;
  cold?: Awaited<ReturnType<typeof measureCold>>;
  rebuild?: RebuildFigure[];
  ticks?: TickFigure[];
  memory?: MemoryFigure;
  quality?: Awaited<ReturnType<typeof measureQuality>>;
  soak?: SoakResult;
  flood?: FloodCase[];
  pipeline?: PipelineFigure[];
  cluster?: ClusterThroughput;
  failover?: FailoverFigure[];
  seconds?: number;
}

const n = (x: number, digits = 0) => x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdict = (pass: boolean) => (pass ? 'PASS' : '**MISS**');
const loadCase = (f: CaseFigure) =>
  `${n(f.rps)} req/s ±${(f.spread * 100).toFixed(0)}%, p50 ${f.p50} ms, p99 ${f.p99} ms, ${f.cpuUsPerRequest.toFixed(1)} µs server CPU/req${f.storeCpuUsPerRequest > 0 ? ` + ${f.storeCpuUsPerRequest.toFixed(1)} µs in redis-server` : ''}${f.non2xx + f.errors > 0 ? `, ${f.non2xx} non-2xx, ${f.errors} socket errors` : ''}`;

export function renderReport(r: SuiteResults): string {
  const rows: string[][] = [];
  const row = (part: string, measure: string, figure: string, target = '', result = '') => rows.push([part, measure, figure, target, result]);
  if (r.resubmit) {
    for (const f of r.resubmit.figures) row('1 throughput', f.name, loadCase(f));
    row('1 throughput', 'Ticketbooth / bare Hono ceiling', `${r.resubmit.ticketboothOverCeiling.toFixed(2)}×`, '≥ 0.8×', verdict(r.resubmit.ticketboothOverCeiling >= 0.8));
    row('1 throughput', 'Ticketbooth / Redis-session baseline', `${r.resubmit.ticketboothOverRedis.toFixed(2)}×`, '≥ 1.8×', verdict(r.resubmit.ticketboothOverRedis >= 1.8));
    row('1 throughput', 'Ticketbooth / bare Hono, same POST + ticket', `${r.resubmit.ticketboothOverSameRequest.toFixed(2)}×`);
  }
  if (r.cold) {
    for (const f of r.cold.figures) row('2 cold', f.name, loadCase(f));
    row('2 cold', 'raw Ed25519 crypto.verify (core 0)', `${n(r.cold.rawVerifyOps)} ops/s`);
    row('2 cold', 'Ticketbooth cold / raw verify', `${r.cold.coldOverRaw.toFixed(2)}×`);
    row('2 cold', 'both cores / core 0 (thread-pool verify)', `${r.cold.bothOverOne.toFixed(2)}×`, '> 1', r.cold.bothOverOne > 1.1 ? 'helps' : 'does not help');
  }
  for (const f of r.rebuild ?? []) {
    const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
    const back =
      f.backAtFirstMatch === null
        ? '-'
        : `${percent(f.backAtFirstMatch)}${f.backAtFirstMatchBounds === null ? '' : ` (${percent(f.backAtFirstMatchBounds[0])}–${percent(f.backAtFirstMatchBounds[1])} when it formed)`}`;
    const cores = f.rebuildCores === null ? '' : `; until all back, ${formatCores(f.rebuildCores)}`;
    row(
      '3 rebuild',
      `${n(f.players)} players, interval ${n(f.intervalMs)} ms: restart / all back / first match / back at first match`,
      `${n(f.restartMs)} ms / ${f.rebuiltMs === null ? `never (${percent(f.backAtEnd)} back at ${n(f.endedMs)} ms)` : `${n(f.rebuiltMs)} ms${f.queuedWhenBack === f.players ? '' : ` (${f.queuedWhenBack === null ? '-' : n(f.queuedWhenBack)} queued then)`}`} / ${f.firstMatchMs === null ? 'none' : `${n(f.firstMatchMs)} ms`} / ${back} ` +
        `(last resubmission scheduled before the kill due at ${n(f.lastDueMs)} ms; warm-up ${n(f.warmupMs)}–${n(5 * f.warmupMs)} ms; driver steady ${n(f.steadyRps)} of ${n((f.players * 1000) / f.intervalMs)} req/s at ${n((f.steadyCores.matchmaker / f.steadyRps) * 1e6)} µs matchmaker CPU each${cores}; ${n(f.failuresAfterKill)} failed requests after the kill)`,
      `all back ≤ ${n(f.budgetMs)} ms (interval + restart + 1 s); ≥ 95 % back at first match`,
      `${f.rebuiltMs !== null && f.rebuiltMs <= f.budgetMs ? 'PASS' : '**FAIL**'}; ${f.backAtFirstMatch === null ? '-' : f.backAtFirstMatch >= 0.95 ? 'PASS' : '**FAIL**'}`,
    );
  }
  if (r.memory) row('4 scale', `heap per queued player at ${n(r.memory.players)}`, `${n(r.memory.bytesPerPlayer)} B (heap +${n(r.memory.heapMiB)} MiB, RSS +${n(r.memory.rssMiB)} MiB)`);
  for (const t of r.ticks ?? []) {
    row('4 scale', `formMatches ${n(t.players)}, ${t.mode}`, `${t.medianMs.toFixed(1)} ms (${n(t.matches)} matches)`);
    // Parties under the latency rule against solo players of the same number, same run.
    const solo = r.ticks!.find((s) => s.players === t.players && s.mode === 'squad 4v4');
    if (t.mode.endsWith('latency rule') && solo !== undefined) {
      const ratio = t.medianMs / solo.medianMs;
      // The target is set at 100k; at 10k a tick is a few ms and fixed costs weigh more.
      const target = t.players === 100_000;
      row('4 scale', `  parties + latency rule / solo at ${n(t.players)}`, `${ratio.toFixed(2)}x`, target ? '≤ 1.5x' : '', target ? verdict(ratio <= 1.5) : '');
    }
  }
  if (r.quality) {
    const q = r.quality;
    const side = (s: typeof q.fifo) =>
      `spread p50 ${n(s.ratingSpread.p50)} / p95 ${n(s.ratingSpread.p95)}; time to match p50 ${n(s.timeToMatchMs.p50)} / p95 ${n(s.timeToMatchMs.p95)} ms; ${s.matched} matched, ${s.unmatched} not`;
    row('5 quality', 'Ticketbooth (simulator, real services)', side(q.ticketbooth));
    row('5 quality', 'FIFO baseline, same crowd and clock', side(q.fifo));
    row('5 quality', 'spread / FIFO (p50, p95)', `${q.spreadRatioP50.toFixed(2)}×, ${q.spreadRatioP95.toFixed(2)}×`, '≤ 0.5×', verdict(q.spreadRatioP50 <= 0.5 && q.spreadRatioP95 <= 0.5));
    row('5 quality', 'Ticketbooth p95 time to match', `${q.p95TimeInIntervals.toFixed(2)} intervals`, '≤ 3', verdict(q.p95TimeInIntervals <= 3));
  }
  if (r.soak) soakRows(r.soak, row);
  for (const f of r.flood ?? []) {
    const flood = median(f.rounds.map((x) => x.floodRps));
    const refused = f.rounds.reduce((sum, x) => sum + (x.floodStatuses['401'] ?? 0), 0);
    const throttled = f.rounds.reduce((sum, x) => sum + (x.floodStatuses['429'] ?? 0), 0);
    const closed = f.rounds.reduce((sum, x) => sum + x.closedConnections, 0);
    row(
      '7 flood',
      `${f.name}, budget ${f.budget}, ${f.connections} flooder connections`,
      `flood ${n(flood)} req/s (${n(refused)} × 401, ${n(throttled)} × 429, ${n(closed)} connections closed); honest p50 ×${f.p50Ratio.toFixed(2)}, p99 ×${f.p99Ratio.toFixed(2)}, ${f.honestErrors} honest errors`,
      f.budget === 'on' ? 'p99 ≤ 3×' : '',
      f.budget === 'on' ? verdict(f.p99Ratio <= 3 && f.honestErrors === 0) : '',
    );
  }
  for (const p of r.pipeline ?? []) {
    row(
      '7 pipeline',
      `${p.connections} non-reading clients, ${p.kind}, lane ${p.lane}, heap ${p.heap}`,
      `RSS ${n(p.rssBeforeMiB)} → ${n(p.rssPeakMiB)} MiB (${n(p.perConnectionKiB)} KiB per connection), ${p.died ? '**died (out of memory)**' : p.survived ? 'still serving' : 'not serving during the attack'}`,
    );
  }
  if (r.cluster) clusterRows(r.cluster, row);
  for (const f of r.failover ?? []) {
    const limit = 2 * f.intervalMs + HEALTH.intervalMs * (HEALTH.fall + 1);
    row(
      '8 failover',
      `${n(f.players)} players, interval ${n(f.intervalMs)} ms: SIGKILL primary → every player answered by the backup`,
      f.rebuiltMs === null ? 'never' : `${n(f.rebuiltMs)} ms (marked down ${f.downMs === null ? 'never' : `${n(f.downMs)} ms`})`,
      `≤ ${n(limit)} ms`,
      verdict(f.rebuiltMs !== null && f.rebuiltMs <= limit),
    );
  }
  const m = r.machine;
  return [
    '',
    `Ticketbooth bench, ${r.startedAt}: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}; pinning: ${m.pinning}.`,
    `1-min load at start ${m.loadAtStart}; after each part: ${Object.entries(r.loadByPart).map(([k, v]) => `${k} ${v}`).join(', ')}. Took ${n(r.seconds ?? 0)} s.`,
    `Command: \`${r.command}\` (from the repo root).`,
    '',
    '| part | measure | figure | target | result |',
    '|---|---|---|---|---|',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    ...Object.entries(r.failures).map(([name, message]) => `\n${name} FAILED: ${message}`),
    ...(r.soak ? ['', soakTable(r.soak)] : []),
    ...(r.failover && r.failover.length > 0 ? ['', failoverTable(r.failover)] : []),
    '',
  ].join('\n');
}

function clusterRows(c: ClusterThroughput, row: (part: string, measure: string, figure: string, target?: string, result?: string) => void): void {
  for (const f of c.cases) {
    const cores = Object.entries(f.cores).map(([name, used]) => `${name} ${used.toFixed(2)}`).join(', ');
    const haproxy = f.haproxyUsPerRequest > 0 ? `; HAProxy ${f.haproxyUsPerRequest.toFixed(1)} µs CPU/req` : '';
    row(
      '8 cluster',
      `resubmit, ${f.name}`,
      `${n(f.rps)} req/s ±${(f.spread * 100).toFixed(0)}%, p50 ${f.p50} ms, p99 ${f.p99} ms; matchmakers ${f.matchmakersUsPerRequest.toFixed(1)} µs CPU/req${haproxy}; cores used: ${cores}` +
        (f.non2xx + f.errors > 0 ? `; ${f.non2xx} non-2xx, ${f.errors} socket errors` : ''),
    );
  }
  row('8 cluster', 'HAProxy → 1 matchmaker / direct', `${c.proxyOverDirect.toFixed(2)}×`);
  row('8 cluster', 'HAProxy → 2 matchmakers / → 1 (2 cores for everything)', `${c.twoOverOne.toFixed(2)}×`);
}

/** The failover figures, one row per pool size. */
function failoverTable(figures: readonly FailoverFigure[]): string {
  const ms = (x: number | null) => (x === null ? 'never' : n(x));
  const rows = figures.map(
    (f) =>
      `| ${n(f.players)} | ${n(f.intervalMs)} | ${n((f.players * 1000) / f.intervalMs)} / ${n(f.steadyRps)} | ${n(f.queuedAtKill)} / ${n(f.primaryMatchesAtKill)} | ${f.backupWarmingUpAtKill ? 'yes' : 'no'} / ${n(f.backupQueuedAtKill)} | ${ms(f.downMs)} | ${ms(f.rebuiltMs)} (${n(f.queuedOnBackupWhenBack)} queued) | ${ms(f.firstMatchMs)} (${f.backAtFirstMatch === null ? '-' : n(f.backAtFirstMatch)} back) | ${n(f.failedRequests)} |`,
  );
  return [
    `Failover: SIGKILL a shard's primary behind HAProxy (health check every ${n(HEALTH.intervalMs)} ms, down after ${HEALTH.fall} failures); ms after the kill:`,
    '',
    '| players | interval (ms) | load: nominal / answered just before the kill (req/s) | primary at the kill: queued / matches | backup at the kill: warming up / queued | HAProxy marked it down | every player answered by the backup (still queued there then) | backup\'s first match | failed requests |',
    '|---:|---:|---:|---|---|---:|---:|---|---:|',
    ...rows,
  ].join('\n');
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

function soakRows(s: SoakResult, row: (part: string, measure: string, figure: string, target?: string, result?: string) => void): void {
  const c = s.crowd;
  const last = s.samples.at(-1);
  row(
    '6 soak',
    `${n(s.options.players)} players with churn, ${s.options.minutes} min, ticket TTL ${n(s.options.ticketTtlMs / 1000)} s`,
    `${n(c.searches)} searches: ${n(c.matched)} matched, ${n(c.left)} left (DELETE), ${n(c.vanished)} vanished; ${n(c.refreshes)} ticket refreshes, ` +
      `${n(c.accounts)} accounts; ${n(last?.matches ?? 0)} matches, ${n(last?.tickets ?? 0)} tickets signed; ` +
      `errors ${Object.entries(c.errors).map(([k, v]) => `${k}:${v}`).join(' ') || 'none'}; sign-up ${n(s.signUpS)} s`,
  );
  const figure = (name: string, g: Growth | undefined) =>
    g === undefined
      ? row('6 soak', name, 'run too short (needs a minute after the fifth)')
      : row('6 soak', name, `minute 5 ${mib(g.fifthMinute)} MiB, last 5 min ${mib(g.lastFive)} MiB: ${g.ratio.toFixed(3)}×`, '≤ 1.05×', verdict(g.ratio <= 1.05));
  figure('matchmaker RSS, last 5 min / minute 5', s.growth.matchmakerRss);
  figure('matchmaker V8 heap used, last 5 min / minute 5', s.growth.matchmakerHeap);
  figure('issuer RSS, last 5 min / minute 5', s.growth.issuerRss);
  figure('issuer V8 heap used, last 5 min / minute 5', s.growth.issuerHeap);
  // The anonymous part alone: the file-backed part drops when the machine is short of memory.
  figure('matchmaker RSS anonymous part (RssAnon), last 5 min / minute 5', s.growth.matchmakerRssAnon);
  figure('issuer RSS anonymous part (RssAnon), last 5 min / minute 5', s.growth.issuerRssAnon);
}

/** Per-minute means of the soak's samples (MiB), for BENCHMARKS.md. */
function soakTable(s: SoakResult): string {
  const rows = perMinute(s.samples).map(
    (m) => `| ${m.minute} | ${mib(m.matchmakerRss)} | ${mib(m.matchmakerHeap)} | ${mib(m.issuerRss)} | ${mib(m.issuerHeap)} | ${n(m.queued)} | ${n(m.matches)} |`,
  );
  return [
    'Soak, means per minute (MiB):',
    '',
    '| minute | matchmaker RSS | matchmaker heap | issuer RSS | issuer heap | queued | matches formed |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** throughput.svg, rebuild.svg and soak.svg, for the parts that ran; returns the paths written. */
export function writePlots(r: SuiteResults, dir: string): string[] {
  const written: string[] = [];
  if (r.resubmit) {
    const path = join(dir, 'throughput.svg');
    const bars = r.resubmit.figures.map((f) => ({ label: f.name, value: f.rps, note: `p99 ${f.p99} ms` }));
    writeFileSync(path, barChart(`POST /v1/queue resubmissions, median of rounds (${r.machine.cores} cores, ${r.startedAt.slice(0, 10)})`, 'req/s', bars));
    written.push(path);
  }
  if (r.rebuild && r.rebuild.length > 0) {
    const path = join(dir, 'rebuild.svg');
    const interval = r.rebuild[0]!.intervalMs;
    const points = (pick: (f: RebuildFigure) => number | null) =>
      r.rebuild!.flatMap((f) => (pick(f) === null ? [] : [[f.players, pick(f)!] as const]));
    // The budget moves with each size's restart time; the line is drawn at the largest.
    const budget = Math.max(...r.rebuild.map((f) => f.budgetMs));
    writeFileSync(
      path,
      lineChart(
        `Matchmaker SIGKILL → restart: time until rebuilt (resubmit interval ${n(interval)} ms, ${r.startedAt.slice(0, 10)})`,
        'queued players',
        'ms after SIGKILL',
        [
          { label: 'every player back', points: points((f) => f.rebuiltMs) },
          { label: 'first match', points: points((f) => f.firstMatchMs) },
          // A size whose players were not all back when the measure gave up: where it stopped.
          ...(r.rebuild.some((f) => f.rebuiltMs === null) ? [{ label: 'not all back by then', points: points((f) => (f.rebuiltMs === null ? f.endedMs : null)) }] : []),
        ],
        { label: 'interval+restart+1 s', y: budget },
      ),
    );
    written.push(path);
  }
  if (r.soak && r.soak.samples.length > 0) {
    const path = join(dir, 'soak.svg');
    writeFileSync(path, soakPlot(r.soak, r.startedAt.slice(0, 10)));
    written.push(path);
  }
  return written;
}

function soakPlot(s: SoakResult, date: string): string {
  const series = (label: string, pick: (sample: SoakResult['samples'][number]) => number) => ({
    label,
    points: s.samples.map((sample) => [sample.atS / 60, pick(sample) / MiB] as const),
  });
  const minutes = s.options.minutes;
  const bands = minutes * 60 >= 360 ? [{ label: 'minute 5', from: 4, to: 5 }, { label: 'last 5 min', from: Math.max(5, minutes - 5), to: minutes }] : [];
  return timeChart(
    `Soak: ${n(s.options.players)} players with churn, ${minutes} min (${date})`,
    'minutes since the players began queueing',
    'MiB',
    [
      series('matchmaker RSS', (x) => x.matchmaker.rssBytes),
      series('matchmaker heap used', (x) => x.matchmaker.heapUsedBytes),
      series('issuer RSS', (x) => x.issuer.rssBytes),
      series('issuer heap used', (x) => x.issuer.heapUsedBytes),
    ],
    bands,
  );
}
