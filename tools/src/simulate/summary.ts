// Turning what the players saw into the numbers people ask for.
import type { Match } from '@ticketbooth/client';

export interface PlayerOutcome {
  readonly username: string;
  /** Player id as the issuer knows it (the ticket's `sub`). */
  readonly sub: string;
  readonly match?: Match;
  readonly timeToMatchMs?: number;
  readonly timedOut?: boolean;
  readonly error?: string;
}

export interface Summary {
  readonly players: number;
  readonly matched: number;
  readonly unmatched: number;
  /** Searches that reached their mode's longest wait (an end state; not in `errors`). */
  readonly timedOut: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly matches: number;
  /** Players seen in more than one distinct match. */
  readonly matchedTwice: number;
  readonly timeToMatchMs: Percentiles;
  readonly ratingSpread: Percentiles;
  readonly teamImbalance: Percentiles;
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

export function summarize(outcomes: readonly PlayerOutcome[]): Summary {
  const matches = new Map<string, Match>();
  const errors: Record<string, number> = {};
  for (const outcome of outcomes) {
    if (outcome.match) matches.set(outcome.match.id, outcome.match);
    if (outcome.error) errors[outcome.error] = (errors[outcome.error] ?? 0) + 1;
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
  return {
    players: outcomes.length,
    matched: matched.length,
    unmatched: outcomes.length - matched.length,
    timedOut: outcomes.filter((o) => o.timedOut).length,
    errors,
    matches: matches.size,
    matchedTwice: [...seenIn.values()].filter((ids) => ids.size > 1).length,
    timeToMatchMs: percentiles(matched.map((o) => o.timeToMatchMs ?? 0)),
    ratingSpread: percentiles([...matches.values()].map(ratingSpread)),
    teamImbalance: percentiles([...matches.values()].map(teamImbalance)),
  };
}
