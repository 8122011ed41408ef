// Turning what the players saw into the numbers people ask for.
import type { Match } from '@ticketbooth/client';
import type { OutReason, Pending } from './players.ts';

export interface PlayerOutcome {
  readonly username: string;
  /** Player id as the issuer knows it (the ticket's `sub`). */
  readonly sub: string;
  /** The settled match, with its assignment when it has one. */
  readonly match?: Match;
  /** When its client called queue() (ms since the epoch). */
  readonly startedAt?: number;
  readonly timeToMatchMs?: number;
  readonly timedOut?: boolean;
  readonly out?: OutReason;
  readonly cancelReason?: string;
  readonly requeues?: number;
  /** Ids of every match the player was told of, settled or not. */
  readonly seen?: readonly string[];
  readonly pending?: Pending;
  readonly error?: string;
  readonly proposalHeardMs?: readonly number[];
  readonly acceptanceRecordedMs?: readonly number[];
  /** The simulated party this player queued with. */
  readonly party?: number;
}

export interface Summary {
  readonly players: number;
  /** Players whose search ended in a settled match (assigned, or ready without allocator). */
  readonly matched: number;
  /** Of `matched`: with a game server (`assignment.connect`). */
  readonly assigned: number;
  readonly unmatched: number;
  /** Searches that reached their mode's longest wait (an end state; not in `errors`). */
  readonly timedOut: number;
  /** Out of the queue by their own decline. */
  readonly declined: number;
  /** Out of the queue after ignoring a proposal (the match timed out, or another member declined it first). */
  readonly noShow: number;
  /** Out of the queue by a cancel that did not requeue them though they had not declined or ignored it. */
  readonly cancelledOut: Readonly<Record<string, number>>;
  /** Players put back in the pool by a cancel at least once. */
  readonly requeued: number;
  /** Of `matched`: requeued at least once before settling. */
  readonly requeuedThenSettled: number;
  /** Still in queue() at the end and answered by a matchmaker lately. */
  readonly stillSearching: number;
  /** Still in queue() at the end but not answered lately, or proposed long past the deadline (see `lostAfterMs`), by phase. */
  readonly lost: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  /** Distinct settled matches. */
  readonly matches: number;
  /** Distinct matches players were told of (proposed ones included). */
  readonly matchesSeen: number;
  /** Players seen in more than one distinct settled match. */
  readonly matchedTwice: number;
  readonly timeToMatchMs: Percentiles;
  readonly ratingSpread: Percentiles;
  readonly teamImbalance: Percentiles;
  /** Accept step: ms from a match's formation until a member heard of it, and until their acceptance was recorded. */
  readonly proposalHeardMs: Percentiles;
  readonly acceptanceRecordedMs: Percentiles;
  /** Parties queued, matched whole (every member in one team of one match), and split (must be 0). */
  readonly parties: { readonly queued: number; readonly matchedWhole: number; readonly split: number };
}

export interface SummaryOptions {
  /**
   * A player still in queue() at the end is lost when no matchmaker answered it for longer than
   * this, or its match is still proposed this long past its deadline; otherwise still searching.
   */
  readonly lostAfterMs: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentiles; zeros for an empty list. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

/** Highest minus lowest rating of everyone in the match. */
export function ratingSpread(match: Match): number {
  const ratings = match.teams.flat().map((p) => p.rating);
  return Math.max(...ratings) - Math.min(...ratings);
}

/** Difference between the strongest and weakest team's mean rating. */
export function teamImbalance(match: Match): number {
  const means = match.teams.map((team) => team.reduce((sum, p) => sum + p.rating, 0) / team.length);
  return Math.max(...means) - Math.min(...means);
}

/** Still searching legitimately, or lost (see SummaryOptions.lostAfterMs). */
export function isLost(pending: Pending, options: SummaryOptions): boolean {
  return pending.unansweredForMs > options.lostAfterMs || (pending.pastAcceptByMs ?? -Infinity) > options.lostAfterMs;
}

export function summarize(outcomes: readonly PlayerOutcome[], options: SummaryOptions): Summary {
  const matches = new Map<string, Match>();
  const errors: Record<string, number> = {};
  const lost: Record<string, number> = {};
  const cancelledOut: Record<string, number> = {};
  const seen = new Set<string>();
  const count = (into: Record<string, number>, key: string) => (into[key] = (into[key] ?? 0) + 1);
  for (const outcome of outcomes) {
    if (outcome.match) matches.set(outcome.match.id, outcome.match);
    if (outcome.error) count(errors, outcome.error);
    if (outcome.out === 'cancelled') count(cancelledOut, outcome.cancelReason ?? 'unknown');
    if (outcome.pending && isLost(outcome.pending, options)) count(lost, outcome.pending.phase);
    for (const id of outcome.seen ?? []) seen.add(id);
  }
  const seenIn = new Map<string, Set<string>>();
  for (const match of matches.values()) {
    for (const player of match.teams.flat()) {
      const ids = seenIn.get(player.sub) ?? new Set<string>();
      ids.add(match.id);
      seenIn.set(player.sub, ids);
    }
  }
  const matched = outcomes.filter((o) => o.match !== undefined);
  const requeued = (o: PlayerOutcome) => (o.requeues ?? 0) > 0;
  return {
    players: outcomes.length,
    matched: matched.length,
    assigned: matched.filter((o) => o.match?.assignment?.connect !== undefined).length,
    unmatched: outcomes.length - matched.length,
    timedOut: outcomes.filter((o) => o.timedOut).length,
    declined: outcomes.filter((o) => o.out === 'declined').length,
    noShow: outcomes.filter((o) => o.out === 'no_show').length,
    cancelledOut,
    requeued: outcomes.filter(requeued).length,
    requeuedThenSettled: matched.filter(requeued).length,
    stillSearching: outcomes.filter((o) => o.pending && !isLost(o.pending, options)).length,
    lost,
    errors,
    matches: matches.size,
    matchesSeen: seen.size,
    matchedTwice: [...seenIn.values()].filter((ids) => ids.size > 1).length,
    timeToMatchMs: percentiles(matched.map((o) => o.timeToMatchMs ?? 0)),
    ratingSpread: percentiles([...matches.values()].map(ratingSpread)),
    teamImbalance: percentiles([...matches.values()].map(teamImbalance)),
    parties: partyFigures(outcomes),
    proposalHeardMs: percentiles(outcomes.flatMap((o) => o.proposalHeardMs ?? [])),
    acceptanceRecordedMs: percentiles(outcomes.flatMap((o) => o.acceptanceRecordedMs ?? [])),
  };
}

/**
 * A party is split when its members were settled in different matches, or in one match but not
 * all of them in one team; matched whole when every member was settled in the same team.
 */
export function partyFigures(outcomes: readonly PlayerOutcome[]): Summary['parties'] {
  const parties = new Map<number, PlayerOutcome[]>();
  for (const o of outcomes) if (o.party !== undefined) parties.set(o.party, [...(parties.get(o.party) ?? []), o]);
  let matchedWhole = 0;
  let split = 0;
  for (const members of parties.values()) {
    const subs = members.map((m) => m.sub);
    const matched = members.filter((m) => m.match !== undefined);
    if (new Set(matched.map((m) => m.match!.id)).size > 1) {
      split++;
      continue;
    }
    const match = matched[0]?.match;
    if (match === undefined) continue;
    const team = match.teams.find((t) => t.some((p) => p.sub === subs[0]));
    const together = subs.every((sub) => team?.some((p) => p.sub === sub));
    if (!together) split++;
    else if (matched.length === members.length) matchedWhole++;
  }
  return { queued: parties.size, matchedWhole, split };
}

/** Players counted in a `Record` of counts. */
export function total(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
