// The simulator's summary as a table: end states of the players, the matches, the crash if any.
import type { ModeFigures } from './mode-figures.ts';
import { total, type Percentiles, type Summary } from './summary.ts';

export interface CrashReport {
  readonly killedAtMs: number;
  readonly poolBeforeCrash: number;
  /** Players by the phase their client was in at the kill (searching, proposed, accepted, allocating, settled so far). */
  readonly phasesAtKill?: Readonly<Record<string, number>>;
  readonly restartMs: number;
  readonly rebuiltAfterMs?: number;
  readonly poolAfterRebuild?: number;
  readonly firstMatchAfterRestartMs?: number;
  /** Matches the new process rebuilt from members' re-announcements, and how long its warm-up lasted. */
  readonly matchesRebuilt?: number;
  readonly warmupMs?: number;
}

export interface EndCheck {
  /** Clients whose last phase was searching (in a pool, not in a match). */
  readonly searchingClients: number;
  readonly inPools: number;
}

export interface RunFacts {
  readonly elapsedMs: number;
  /** What `lost` means in this run (summary.ts: SummaryOptions). */
  readonly lostAfterMs: number;
  /** This process's event-loop delay while players queued: high means the simulator, not the services, was late. */
  readonly loopDelayMs?: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Cores used while players queued, by process, and the matchmaker's event-loop p99 then. */
  readonly cpu?: { readonly simulator: number; readonly issuer?: number; readonly matchmaker?: number; readonly matchmakerLoopP99Ms?: number };
  /** Per request kind while players queued: how many, and ms until the answer's headers as the clients saw it. */
  readonly requestMs?: Readonly<Record<string, { readonly count: number; readonly p50: number; readonly p95: number; readonly p99: number }>>;
  readonly allocator: boolean;
  /** Allocation requests the reference allocator received, and the servers it handed out. */
  readonly allocatorCalls?: number;
  readonly allocations?: number;
}

const counts = (c: Readonly<Record<string, number>>) => Object.entries(c).map(([k, v]) => `${k}:${v}`).join(' ') || 0;

export function renderSummary(s: Summary, run: RunFacts, crash: CrashReport | undefined, atEnd: EndCheck | undefined): string {
  const row = (label: string, value: string | number) => `| ${label.padEnd(58)} | ${String(value).padStart(18)} |`;
  const p = (x: { p50: number; p95: number; p99: number }) => `${Math.round(x.p50)}/${Math.round(x.p95)}/${Math.round(x.p99)}`;
  const lostAfterS = (run.lostAfterMs / 1000).toFixed(1);
  const lines = [
    '',
    row('measure', 'value'),
    `|${'-'.repeat(60)}|${'-'.repeat(19)}:|`,
    row('players', s.players),
    row(run.allocator ? 'settled: assigned a game server' : 'settled: ready (no allocator)', run.allocator ? s.assigned : s.matched - s.assigned),
    ...(run.allocator && s.matched > s.assigned ? [row('settled: ready without a game server', s.matched - s.assigned)] : []),
    row('  of whom requeued by a cancel first, then settled', s.requeuedThenSettled),
    row('requeued by a cancel at least once (any end)', s.requeued),
    row('out: declined', s.declined),
    row('out: no-show (ignored the proposal)', s.noShow),
    row('out: cancelled before its acceptance counted (reason)', counts(s.cancelledOut)),
    row('out: timed out (mode maxWaitMs)', s.timedOut),
    row('still searching, or in a match not settled yet, at the end', s.stillSearching),
    row(`lost (see below, by phase)`, counts(s.lost)),
    row('errors', counts(s.errors)),
    row('matches settled / told of (proposed included)', `${s.matches} / ${s.matchesSeen}`),
    row('players in two settled matches', s.matchedTwice),
    ...(s.parties.queued > 0 ? [row('parties: queued / matched whole / split', `${s.parties.queued} / ${s.parties.matchedWhole} / ${s.parties.split}`)] : []),
    row('time to ready/assigned p50/p95/p99 (ms from queue())', p(s.timeToMatchMs)),
    row('rating spread p50/p95/p99', p(s.ratingSpread)),
    row('team imbalance p50/p95/p99', p(s.teamImbalance)),
    ...(s.proposalHeardMs.max > 0
      ? [row('proposal heard p50/p95/p99 (ms after forming)', p(s.proposalHeardMs)), row('acceptance recorded p50/p95/p99 (ms after forming)', p(s.acceptanceRecordedMs))]
      : []),
    row('wall time (s)', (run.elapsedMs / 1000).toFixed(1)),
    ...(run.loopDelayMs === undefined ? [] : [row('simulator event-loop delay p50/p99/max (ms)', `${run.loopDelayMs.p50}/${run.loopDelayMs.p99}/${run.loopDelayMs.max}`)]),
    ...(run.cpu === undefined
      ? []
      : [
          row('cores used: simulator / issuer / matchmaker', `${run.cpu.simulator} / ${run.cpu.issuer ?? '-'} / ${run.cpu.matchmaker ?? '-'}`),
          row('matchmaker event-loop delay p99 (ms)', run.cpu.matchmakerLoopP99Ms ?? '-'),
        ]),
    ...Object.entries(run.requestMs ?? {})
      .sort(([, a], [, b]) => b.count - a.count)
      .map(([route, t]) => row(`${route.slice(0, 34)}: n, p50/p95/p99 ms`, `${t.count}, ${t.p50}/${t.p95}/${t.p99}`)),
  ];
  if (run.allocatorCalls !== undefined) lines.push(row('allocator: requests / servers handed out', `${run.allocatorCalls} / ${run.allocations ?? 0}`));
  if (atEnd) {
    lines.push(row('searching at the end: clients', atEnd.searchingClients), row('searching at the end: in pools', atEnd.inPools));
  }
  if (crash) {
    lines.push(
      row('killed at (ms after queueing began)', crash.killedAtMs),
      row('pool before the crash', crash.poolBeforeCrash),
      ...(crash.phasesAtKill === undefined
        ? []
        : [
            row('at the kill: searching / proposed / accepted', `${crash.phasesAtKill.searching} / ${crash.phasesAtKill.proposed} / ${crash.phasesAtKill.accepted}`),
            row('at the kill: allocating / settled so far', `${crash.phasesAtKill.allocating} / ${crash.phasesAtKill.settled}`),
          ]),
      row('restart took (ms from the kill to listening)', crash.restartMs),
      row('pool rebuilt (ms after listening)', crash.rebuiltAfterMs ?? 'not rebuilt'),
      row('pool when rebuilt', crash.poolAfterRebuild ?? '-'),
      row('warm-up over (ms after listening)', crash.warmupMs ?? '-'),
      row('matches rebuilt from holders', crash.matchesRebuilt ?? '-'),
      row('first match answered (ms after listening)', crash.firstMatchAfterRestartMs ?? 'none'),
    );
  }
  lines.push(
    '',
    `lost: still in queue() when the run ended, yet no matchmaker had answered it (a resubmission or a presentation) for over ${lostAfterS} s,`,
    `or its match was still proposed over ${lostAfterS} s past its accept deadline; players answered within that are "still searching".`,
    `Every player is in exactly one row of settled / out / still searching / lost / errors (${endStates(s)} of ${s.players}).`,
  );
  return lines.join('\n');
}

/** Players in some end state or still searching: each once, so this equals `players` unless something is miscounted. */
function endStates(s: Summary): number {
  return s.matched + s.declined + s.noShow + total(s.cancelledOut) + s.timedOut + s.stillSearching + total(s.lost) + total(s.errors);
}

/**
 * The mode rules at work, a column per mode: sizes, regions, worst-member latency against the
 * rule's bound, rating spread and time to match against the FIFO baseline, and rule checks.
 */
export function renderModes(figures: readonly ModeFigures[]): string {
  if (figures.length === 0) return '';
  const rows: Array<readonly [string, ReadonlyArray<string | number>]> = [];
  const row = (label: string, values: ReadonlyArray<string | number>) => rows.push([label, values]);
  const p = (x: Percentiles | undefined) => (x === undefined ? '-' : `${Math.round(x.p50)}/${Math.round(x.p95)}`);
  const s = (x: Percentiles) => `${(x.p50 / 1000).toFixed(1)}/${(x.p95 / 1000).toFixed(1)}`;
  const counts = (c: Readonly<Record<string, number>>) => Object.entries(c).map(([k, v]) => `${k}:${v}`).join(' ') || '-';
  const each = (value: (f: ModeFigures) => string | number) => figures.map(value);
  const checks = (f: ModeFigures) => f.checks;
  row('per mode', each((f) => f.mode));
  row('players queued / settled', each((f) => `${f.queued} / ${f.matched}`));
  row('matches settled, by team size', each((f) => counts(f.teamSizes)));
  row('matches settled, by region', each((f) => counts(f.regions)));
  row('latency rule: bound from maxMs to widenToMs (ms)', each((f) => (f.latencyRule === null ? 'none' : `${f.latencyRule.maxMs}..${f.latencyRule.widenToMs}`)));
  row('worst-member latency p50/p95 (ms)', each((f) => p(f.worstLatencyMs)));
  row('  FIFO, same crowd (lobby in its best region)', each((f) => p(f.fifo.worstLatencyMs)));
  row('rating spread p50/p95', each((f) => p(f.ratingSpread)));
  row('  FIFO', each((f) => p(f.fifo.ratingSpread)));
  row('time to ready/assigned p50/p95 (s from queue())', each((f) => s(f.timeToMatchMs)));
  row('  FIFO (s from arrival)', each((f) => s(f.fifo.timeToMatchMs)));
  row('  FIFO: matches / players matched / unmatched', each((f) => `${f.fifo.matches} / ${f.fifo.matched} / ${f.fifo.unmatched}`));
  row('rule broken: an equal attribute differs (build)', each((f) => checks(f).equalDiffers));
  row('rule broken: crossplay opt-out meets another platform', each((f) => checks(f).crossplayMixed));
  row('rule broken: worst latency above widenToMs', each((f) => checks(f).aboveWidenTo));
  row('rule broken: a member above its own bound at forming', each((f) => checks(f).aboveOwnBound));
  row('rule broken: smaller teams before shrinkAfterMs', each((f) => checks(f).shrunkEarly));
  row('not broken, by a party\'s wait from its last join (info)', each((f) => checks(f).partyHeadStart));
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const widths = figures.map((_, i) => Math.max(...rows.map(([, values]) => String(values[i]).length)));
  const line = ([label, values]: readonly [string, ReadonlyArray<string | number>]) =>
    `| ${label.padEnd(labelWidth)} | ${values.map((v, i) => String(v).padStart(widths[i]!)).join(' | ')} |`;
  const lines = [
    '',
    line(rows[0]!),
    `|${'-'.repeat(labelWidth + 2)}|${widths.map((w) => `${'-'.repeat(w + 1)}:|`).join('')}`,
    ...rows.slice(1).map(line),
    '',
    'Rule checks count matches, from what the simulator gave its players. Wait-based checks count a wait from the queue() call,',
    'or for a party from its last join (where the issuer starts a party\'s signed wait); the info row counts matches that only',
    'those earlier starts keep within the rules. --json lists the first matches of each check with their members.',
    'FIFO: full lobbies of the largest team size, first come first served per pool (one pool per latency mode), no latency bound,',
    'attributes, parties or size range, on the same crowd and a 1 s tick.',
  ];
  return lines.join('\n');
}
