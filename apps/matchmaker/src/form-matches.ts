// Match formation: a pure function of a pool snapshot, the mode's rules and the clock.
import type { ModeRules } from '@ticketbooth/config';
import type { Member } from '@ticketbooth/tickets';
import { balanceSolo, balanceTeams, canPack, ratingSpread, teamImbalance, type Group } from './teams.ts';
import { ratingWindow } from './widening.ts';

/** What match formation needs of a queue entry: a group of one or more players, `sub` leading it. */
export interface Waiting {
  readonly sub: string;
  /** The leader's rating. */
  readonly rating: number;
  /** Signed start of the search (ms), so the wait survives a restart. */
  readonly queuedAt: number;
  /** The other members of a party. */
  readonly party?: readonly Member[] | undefined;
}

export type MatchRules = Pick<ModeRules, 'teams' | 'teamSize' | 'ratingWindow'>;

export interface FormedMatch<W extends Waiting = Waiting> {
  /** The snapshot entries this match takes out of the pool. */
  readonly entries: readonly W[];
  readonly teams: Member[][];
  /** Highest minus lowest player rating. */
  readonly ratingSpread: number;
  /** Gap between the highest and lowest mean team rating. */
  readonly imbalance: number;
}

/**
 * Forms as many matches as the snapshot allows. Longest-waiting entries anchor
 * first; each anchor takes the nearest ratings (walking a rating-sorted list
 * outwards) that fit every chosen entry's window and whose own window covers
 * every chosen entry, so all players of a match sit inside each other's current
 * window. No entry is in two matches; parties are never split. Deterministic:
 * the same snapshot (in any order), rules and `now` give the same matches.
 * Cost: two sorts plus a walk that skips matched entries in O(1).
 *
 * @example
 * formMatches(queue.snapshot('duel/eu'), config.modes.duel, now)
 */
export function formMatches<W extends Waiting>(snapshot: readonly W[], rules: MatchRules, now: number): FormedMatch<W>[] {
  const { teams, teamSize } = rules;
  const need = teams * teamSize;
  const n = snapshot.length;
  const size = new Int32Array(n);
  const mean = new Float64Array(n);
  const window = new Float64Array(n);
  let players = 0;
  for (let i = 0; i < n; i++) {
    const entry = snapshot[i]!;
    const party = entry.party;
    let sum = entry.rating;
    if (party) for (const member of party) sum += member.rating;
    size[i] = 1 + (party?.length ?? 0);
    mean[i] = sum / size[i]!;
    window[i] = ratingWindow(rules.ratingWindow, now - entry.queuedAt);
    players += size[i]!;
  }
  if (players < need) return [];

  const byWait = sortByWait(snapshot);
  const list = new RatingList(sortByRating(mean, byWait));
  const matches: FormedMatch<W>[] = [];

  for (const anchor of byWait) {
    if (list.isTaken(anchor) || size[anchor]! > teamSize) continue;
    const chosen = gatherAround(anchor, list, { size, mean, window }, rules);
    if (chosen === undefined) continue;
    const solo = chosen.length === need;
    const formed = solo
      ? balanceSolo(chosen.map((i) => ({ sub: snapshot[i]!.sub, rating: snapshot[i]!.rating })), teams, teamSize)
      : balanceTeams(chosen.map((i) => membersOf(snapshot[i]!)), teams, teamSize);
    if (formed === undefined) continue;
    for (const i of chosen) list.take(i);
    matches.push({
      entries: chosen.map((i) => snapshot[i]!),
      teams: formed,
      ratingSpread: ratingSpread(formed),
      imbalance: teamImbalance(formed),
    });
  }
  return matches;
}

interface Figures {
  readonly size: Int32Array;
  readonly mean: Float64Array;
  readonly window: Float64Array;
}

/** Entries (by index) that make one full match around `anchor`, or undefined. */
function gatherAround(anchor: number, list: RatingList, f: Figures, rules: MatchRules): number[] | undefined {
  const need = rules.teams * rules.teamSize;
  const chosen = [anchor];
  // Group sizes, kept only once a party is involved: solo selections always pack.
  let sizes: number[] | undefined;
  let total = f.size[anchor]!;
  let allSolo = total === 1;
  const center = f.mean[anchor]!;
  // Every chosen x needs a candidate inside [x - wx, x + wx]: the intersection is [low, high].
  let low = center - f.window[anchor]!;
  let high = center + f.window[anchor]!;
  let minRating = center;
  let maxRating = center;
  let left = list.before(anchor);
  let right = list.after(anchor);

  while (total < need) {
    // Ratings only get further away along each side, and [low, high] only narrows.
    if (left !== -1 && f.mean[left]! < low) left = -1;
    if (right !== -1 && f.mean[right]! > high) right = -1;
    if (left === -1 && right === -1) return undefined;
    const takeLeft = right === -1 || (left !== -1 && center - f.mean[left]! <= f.mean[right]! - center);
    const candidate = takeLeft ? left : right;
    if (takeLeft) left = list.before(left);
    else right = list.after(right);

    const rating = f.mean[candidate]!;
    const own = f.window[candidate]!;
    const candidateSize = f.size[candidate]!;
    if (maxRating - rating > own || rating - minRating > own) continue;
    if (total + candidateSize > need) continue;
    if (!(allSolo && candidateSize === 1)) {
      sizes ??= chosen.map((i) => f.size[i]!);
      if (!canPack([...sizes, candidateSize], rules.teams, rules.teamSize)) continue;
      sizes.push(candidateSize);
    }

    chosen.push(candidate);
    total += candidateSize;
    allSolo &&= candidateSize === 1;
    if (rating - own > low) low = rating - own;
    if (rating + own < high) high = rating + own;
    if (rating < minRating) minRating = rating;
    if (rating > maxRating) maxRating = rating;
  }
  return chosen;
}

/** Entries in rating order as a doubly linked list, so walks skip matched entries in O(1). */
class RatingList {
  readonly #order: number[];
  readonly #position: Int32Array;
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  readonly #taken: Uint8Array;

  constructor(order: number[]) {
    const n = order.length;
    this.#order = order;
    this.#position = new Int32Array(n);
    this.#prev = new Int32Array(n);
    this.#next = new Int32Array(n);
    this.#taken = new Uint8Array(n);
    for (let p = 0; p < n; p++) {
      this.#position[order[p]!] = p;
      this.#prev[p] = p - 1;
      this.#next[p] = p + 1 < n ? p + 1 : -1;
    }
  }

  isTaken(entry: number): boolean {
    return this.#taken[entry] === 1;
  }

  /** The untaken entry just below in rating order, or -1. */
  before(entry: number): number {
    const p = this.#prev[this.#position[entry]!]!;
    return p === -1 ? -1 : this.#order[p]!;
  }

  after(entry: number): number {
    const p = this.#next[this.#position[entry]!]!;
    return p === -1 ? -1 : this.#order[p]!;
  }

  take(entry: number): void {
    const p = this.#position[entry]!;
    const prev = this.#prev[p]!;
    const next = this.#next[p]!;
    if (prev !== -1) this.#next[prev] = next;
    if (next !== -1) this.#prev[next] = prev;
    this.#taken[entry] = 1;
  }
}

function membersOf(entry: Waiting): Group {
  const leader = { sub: entry.sub, rating: entry.rating };
  return entry.party ? [leader, ...entry.party] : [leader];
}

// Sorting 100k entries with a comparator costs more than the whole match walk, so both
// orders pack an integer key and the entry index into one double and use the native
// numeric sort; only runs of equal keys (rare, short) go through a comparator.
const INDEX_BITS = 2 ** 27;
const RATING_STEPS = 16;

/** Entry indices, longest wait first; equal `queuedAt` ordered by `sub`. */
function sortByWait(snapshot: readonly Waiting[]): number[] {
  const n = snapshot.length;
  let oldest = Infinity;
  let newest = -Infinity;
  for (const entry of snapshot) {
    if (entry.queuedAt < oldest) oldest = entry.queuedAt;
    if (entry.queuedAt > newest) newest = entry.queuedAt;
  }
  const bySub = (a: number, b: number) => compareStrings(snapshot[a]!.sub, snapshot[b]!.sub);
  if (n >= INDEX_BITS || !(newest - oldest < 2 ** 25) || !Number.isInteger(newest - oldest)) {
    return Array.from({ length: n }, (_, i) => i).sort((a, b) => snapshot[a]!.queuedAt - snapshot[b]!.queuedAt || bySub(a, b));
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (snapshot[i]!.queuedAt - oldest) * INDEX_BITS + i;
  const order = unpackSorted(keys);
  return fixRuns(order, keys, bySub);
}

/** Entry indices by mean rating; equal ratings keep the wait order. */
function sortByRating(mean: Float64Array, byWait: readonly number[]): number[] {
  const n = mean.length;
  let lowest = Infinity;
  for (const m of mean) if (m < lowest) lowest = m;
  const keys = new Float64Array(n);
  // Ratings are bounded (±1e6 by the claims schema), so the stepped rating fits 26 bits;
  // the wait rank below it keeps equal ratings in wait order.
  for (let rank = 0; rank < n; rank++) {
    const i = byWait[rank]!;
    keys[rank] = Math.floor((mean[i]! - lowest) * RATING_STEPS) * INDEX_BITS + rank;
  }
  const ranked = unpackSorted(keys);
  const order = new Array<number>(n);
  const waitRank = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    order[p] = byWait[ranked[p]!]!;
    waitRank[order[p]!] = ranked[p]!;
  }
  // The packed key orders by rating step, then wait: restore exact rating order inside each step.
  return fixRuns(order, keys, (a, b) => mean[a]! - mean[b]! || waitRank[a]! - waitRank[b]!);
}

/** Sorts the packed keys in place and returns the indices they carry. */
function unpackSorted(keys: Float64Array): number[] {
  keys.sort();
  const order = new Array<number>(keys.length);
  for (let p = 0; p < keys.length; p++) {
    const key = keys[p]!;
    order[p] = key - Math.floor(key / INDEX_BITS) * INDEX_BITS; // exact, and cheaper than a float %
  }
  return order;
}

/** Sorts with `compare` each run of positions whose sorted keys share a primary part, where out of order. */
function fixRuns(order: number[], sortedKeys: Float64Array, compare: (a: number, b: number) => number): number[] {
  let start = 0;
  while (start < order.length) {
    const primary = Math.floor(sortedKeys[start]! / INDEX_BITS);
    let end = start + 1;
    let sorted = true;
    while (end < order.length && Math.floor(sortedKeys[end]! / INDEX_BITS) === primary) {
      if (sorted && compare(order[end - 1]!, order[end]!) > 0) sorted = false;
      end++;
    }
    if (!sorted) {
      const run = order.slice(start, end).sort(compare);
      for (let k = 0; k < run.length; k++) order[start + k] = run[k]!;
    }
    start = end;
  }
  return order;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
