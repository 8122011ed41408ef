// "Why am I not matched": what a searching player's match needs now, read off the pool. Pure:
// the entry, the pool's entries, the mode's rules and the clock come in.
import { teamSizeOf } from '@ticketbooth/config';
import { attributesAgree } from './attributes.ts';
import type { Waiting, MatchRules } from './form-matches.ts';
import { latencyBound, waitUntilBound, type LatencyRule } from './latency.ts';
import { ratingWindow, startWidth } from './widening.ts';

export interface Explanation {
  readonly queuedForMs: number;
  /** The group's mean rating (a solo player's own) and size: what formation compares. */
  readonly group: { readonly players: number; readonly rating: number };
  /** This player's window now: opponents' mean ratings within `low..high`, and theirs must cover this one too. */
  readonly ratingWindow: { readonly halfWidth: number; readonly low: number; readonly high: number; readonly max: number; readonly widenPerSecond: number; readonly widestInMs: number };
  /**
   * Teams and players per team: `teamSize` while the pool fills teams, down to `minTeamSize`
   * once the longest-waiting player waited the mode's shrink time (`smallerTeamsInMs` from now
   * for this player; null when the mode's size is fixed).
   */
  readonly size: { readonly teams: number; readonly teamSize: number; readonly minTeamSize: number; readonly smallerTeamsInMs: number | null; readonly playersNeeded: number };
  /** Under a latency rule: this player's bound now, and per region whether they may play there now or when. */
  readonly latency: {
    readonly boundMs: number;
    readonly widenToMs: number;
    readonly widestInMs: number;
    readonly regions: readonly { readonly region: string; readonly latencyMs: number; readonly eligibleInMs: number | null }[];
  } | null;
  /** Others queued in this pool that sit in this player's window and have this player in theirs (and share a region and attributes). */
  readonly compatibleNow: { readonly groups: number; readonly players: number };
  /** Others whose attributes (build, crossplay set) rule out a match with this player whatever the wait. */
  readonly attributeMismatches: number;
  /**
   * The nearest other (by rating) not compatible yet, how far it is, what keeps them apart, and
   * when widening will bring them together (null: never, it is beyond the mode's widest bounds).
   */
  readonly nearestIncompatible: { readonly ratingGap: number; readonly blockedBy: 'rating' | 'latency'; readonly reachableInMs: number | null } | null;
  /** Entries looked at: a pool larger than the scan limit is sampled from its start. */
  readonly scanned: number;
}

type Group = Waiting & { readonly size?: number };

const meanOf = (w: Group) => (w.party === undefined ? w.rating : (w.rating + w.party.reduce((sum, m) => sum + m.rating, 0)) / (1 + w.party.length));

/** How long from `now` until the window of a search that began at `queuedAt` is `distance` wide; Infinity when it never is. */
function untilWide(rules: MatchRules['ratingWindow'], { queuedAt, uncertainty }: Group, distance: number, now: number): number {
  if (distance <= ratingWindow(rules, now - queuedAt, uncertainty)) return 0;
  if (distance > rules.max || rules.widenPerSecond <= 0) return Infinity;
  return queuedAt + ((distance - startWidth(rules, uncertainty)) / rules.widenPerSecond) * 1000 - now;
}

/** How long from `now` until both may play in one region; Infinity when never. */
function untilSharedRegion(rule: LatencyRule, me: Group, other: Group, now: number): number {
  let best = Infinity;
  for (const region in me.latencies) {
    const theirs = other.latencies?.[region];
    if (theirs === undefined) continue;
    const at = Math.max(me.queuedAt + waitUntilBound(rule, me.latencies[region]!), other.queuedAt + waitUntilBound(rule, theirs));
    best = Math.min(best, Math.max(0, at - now));
  }
  return best;
}

/**
 * @example
 * explainSearch(queue.get(sub), queue.entriesIn(pool), config.modes.duel, now, 100_000)
 * // { compatibleNow: { groups: 0, players: 0 }, nearestIncompatible: { ratingGap: 180, blockedBy: 'rating', reachableInMs: 8000 }, ... }
 */
export function explainSearch(me: Group, others: Iterable<Group>, rules: MatchRules, now: number, scanLimit: number): Explanation {
  const waitedMs = Math.max(0, now - me.queuedAt);
  const rating = meanOf(me);
  const halfWidth = ratingWindow(rules.ratingWindow, waitedMs, me.uncertainty);
  const attributeRules = { equal: rules.attributes?.equal ?? [], intersect: rules.attributes?.intersect ?? [] };
  let scanned = 0;
  let groups = 0;
  let players = 0;
  let attributeMismatches = 0;
  let nearest: { ratingGap: number; blockedBy: 'rating' | 'latency'; reachableInMs: number } | undefined;
  for (const other of others) {
    if (scanned >= scanLimit) break;
    scanned++;
    if (other.sub === me.sub) continue;
    if (!attributesAgree(me, other, attributeRules)) {
      attributeMismatches++;
      continue;
    }
    const gap = Math.abs(meanOf(other) - rating);
    const byRating = Math.max(untilWide(rules.ratingWindow, me, gap, now), untilWide(rules.ratingWindow, other, gap, now));
    const byLatency = rules.latency === undefined ? 0 : untilSharedRegion(rules.latency, me, other, now);
    const reach = Math.max(byRating, byLatency);
    if (reach === 0) {
      groups++;
      players += 1 + (other.party?.length ?? 0);
    } else if (nearest === undefined || gap < nearest.ratingGap || (gap === nearest.ratingGap && reach < nearest.reachableInMs)) {
      nearest = { ratingGap: gap, blockedBy: byLatency > byRating ? 'latency' : 'rating', reachableInMs: reach };
    }
  }
  const { widenPerSecond, max } = rules.ratingWindow;
  const widestInMs = halfWidth >= max || widenPerSecond <= 0 ? 0 : Math.max(0, ((max - startWidth(rules.ratingWindow, me.uncertainty)) / widenPerSecond) * 1000 - waitedMs);
  const sizes = teamSizeOf(rules);
  const smallerTeamsInMs = sizes.min === sizes.max ? null : Math.max(0, sizes.shrinkAfterMs - waitedMs);
  return {
    queuedForMs: Math.round(waitedMs),
    group: { players: 1 + (me.party?.length ?? 0), rating: round(rating) },
    ratingWindow: { halfWidth: round(halfWidth), low: round(rating - halfWidth), high: round(rating + halfWidth), max, widenPerSecond, widestInMs: Math.round(widestInMs) },
    size: { teams: rules.teams, teamSize: sizes.max, minTeamSize: sizes.min, smallerTeamsInMs, playersNeeded: rules.teams * (smallerTeamsInMs === 0 ? sizes.min : sizes.max) },
    latency: rules.latency === undefined ? null : explainLatency(rules.latency, me, waitedMs),
    compatibleNow: { groups, players },
    attributeMismatches,
    nearestIncompatible:
      nearest === undefined
        ? null
        : { ratingGap: round(nearest.ratingGap), blockedBy: nearest.blockedBy, reachableInMs: Number.isFinite(nearest.reachableInMs) ? Math.ceil(nearest.reachableInMs) : null },
    scanned,
  };
}

function explainLatency(rule: LatencyRule, me: Group, waitedMs: number): NonNullable<Explanation['latency']> {
  const regions = Object.entries(me.latencies ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([region, latencyMs]) => {
      const at = waitUntilBound(rule, latencyMs);
      return { region, latencyMs, eligibleInMs: Number.isFinite(at) ? Math.max(0, Math.ceil(at - waitedMs)) : null };
    });
  return { boundMs: round(latencyBound(rule, waitedMs)), widenToMs: rule.widenToMs, widestInMs: Math.max(0, Math.ceil(rule.widenAfterMs - waitedMs)), regions };
}

const round = (x: number) => Math.round(x * 10) / 10;
