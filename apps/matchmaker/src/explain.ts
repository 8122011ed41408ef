// "Why am I not matched": what a searching player's match needs now, read off the pool. Pure:
// the entry, the pool's entries, the mode's rules and the clock come in.
import type { Waiting, MatchRules } from './form-matches.ts';
import { ratingWindow } from './widening.ts';

export interface Explanation {
  readonly queuedForMs: number;
  /** The group's mean rating (a solo player's own) and size: what formation compares. */
  readonly group: { readonly players: number; readonly rating: number };
  /** This player's window now: opponents' mean ratings within `low..high`, and theirs must cover this one too. */
  readonly ratingWindow: { readonly halfWidth: number; readonly low: number; readonly high: number; readonly max: number; readonly widenPerSecond: number; readonly widestInMs: number };
  readonly size: { readonly teams: number; readonly teamSize: number; readonly playersNeeded: number };
  /** Others queued in this pool that sit in this player's window and have this player in theirs. */
  readonly compatibleNow: { readonly groups: number; readonly players: number };
  /**
   * The closest rating outside the windows, how far it is, and when widening will bring both
   * windows to it (null: never, it is beyond the mode's widest window).
   */
  readonly nearestIncompatible: { readonly ratingGap: number; readonly reachableInMs: number | null } | null;
  /** Entries looked at: a pool larger than the scan limit is sampled from its start. */
  readonly scanned: number;
}

type Group = Waiting & { readonly size?: number };

const meanOf = (w: Group) => (w.party === undefined ? w.rating : (w.rating + w.party.reduce((sum, m) => sum + m.rating, 0)) / (1 + w.party.length));

/** How long from `now` until a window that began at `queuedAt` is `distance` wide; Infinity when it never is. */
function untilWide(rules: MatchRules['ratingWindow'], queuedAt: number, distance: number, now: number): number {
  if (distance <= ratingWindow(rules, now - queuedAt)) return 0;
  if (distance > rules.max || rules.widenPerSecond <= 0) return Infinity;
  return queuedAt + ((distance - rules.initial) / rules.widenPerSecond) * 1000 - now;
}

/**
 * @example
 * explainSearch(queue.get(sub), queue.entriesIn(pool), config.modes.duel, now, 100_000)
 * // { compatibleNow: { groups: 0, players: 0 }, nearestIncompatible: { ratingGap: 180, reachableInMs: 8000 }, ... }
 */
export function explainSearch(me: Group, others: Iterable<Group>, rules: MatchRules, now: number, scanLimit: number): Explanation {
  const waitedMs = Math.max(0, now - me.queuedAt);
  const rating = meanOf(me);
  const halfWidth = ratingWindow(rules.ratingWindow, waitedMs);
  let scanned = 0;
  let groups = 0;
  let players = 0;
  let nearest: { ratingGap: number; reachableInMs: number } | undefined;
  for (const other of others) {
    if (scanned >= scanLimit) break;
    scanned++;
    if (other.sub === me.sub) continue;
    const gap = Math.abs(meanOf(other) - rating);
    const reach = Math.max(untilWide(rules.ratingWindow, me.queuedAt, gap, now), untilWide(rules.ratingWindow, other.queuedAt, gap, now));
    if (reach === 0) {
      groups++;
      players += 1 + (other.party?.length ?? 0);
    } else if (nearest === undefined || gap < nearest.ratingGap || (gap === nearest.ratingGap && reach < nearest.reachableInMs)) {
      nearest = { ratingGap: gap, reachableInMs: reach };
    }
  }
  const { initial, widenPerSecond, max } = rules.ratingWindow;
  const widestInMs = halfWidth >= max || widenPerSecond <= 0 ? 0 : Math.max(0, ((max - initial) / widenPerSecond) * 1000 - waitedMs);
  return {
    queuedForMs: Math.round(waitedMs),
    group: { players: 1 + (me.party?.length ?? 0), rating: round(rating) },
    ratingWindow: { halfWidth: round(halfWidth), low: round(rating - halfWidth), high: round(rating + halfWidth), max, widenPerSecond, widestInMs: Math.round(widestInMs) },
    size: { teams: rules.teams, teamSize: rules.teamSize, playersNeeded: rules.teams * rules.teamSize },
    compatibleNow: { groups, players },
    nearestIncompatible:
      nearest === undefined ? null : { ratingGap: round(nearest.ratingGap), reachableInMs: Number.isFinite(nearest.reachableInMs) ? Math.ceil(nearest.reachableInMs) : null },
    scanned,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;
