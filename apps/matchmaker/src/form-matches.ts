// Match formation: a pure function of a pool snapshot, the mode's rules and the clock.
import { teamSizeOf, type ModeRules } from '@ticketbooth/config';
import type { Attributes, Member } from '@ticketbooth/tickets';
import { partitionByEqual, setMasks, type AttributeRules } from './attributes.ts';
import { MAX_REGIONS, latencyBound, latencyTable, maskOf, placeByTable, regionOrder, type Latencies, type LatencyRule } from './latency.ts';
import { balanceSolo, balanceTeams, canPack, partiesFit, ratingSpread, teamImbalance, type Group } from './teams.ts';
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
  /** Measured round-trip ms per region (the group's, signed): what the latency rule reads. */
  readonly latencies?: Latencies | undefined;
  /** Attributes the issuer vouches for: what the attribute rules read. */
  readonly attributes?: Attributes | undefined;
}

export type MatchRules = Pick<ModeRules, 'teams' | 'teamSize' | 'ratingWindow'> & {
  readonly latency?: LatencyRule | undefined;
  /** The regions a latency rule may place matches in (the config's); absent: those the tickets name. */
  readonly regions?: readonly string[] | undefined;
  readonly attributes?: AttributeRules | undefined;
};

export interface FormedMatch<W extends Waiting = Waiting> {
  /** The snapshot entries this match takes out of the pool. */
  readonly entries: readonly W[];
  readonly teams: Member[][];
  /** Highest minus lowest player rating. */
  readonly ratingSpread: number;
  /** Gap between the highest and lowest mean team rating. */
  readonly imbalance: number;
  /** Under a latency rule: the region the match is placed in, and its members' worst latency there. */
  readonly region?: string;
  readonly worstLatencyMs?: number;
}

/**
 * Forms as many matches as the snapshot allows. Longest-waiting entries anchor
 * first; each anchor takes the nearest ratings (walking a rating-sorted list
 * outwards) that fit every chosen entry's window and whose own window covers
 * every chosen entry, so all players of a match sit inside each other's current
 * window. Under the other rules a candidate must also share a region every chosen
 * entry may play in now (latency), agree on `equal` attributes (the pool is split
 * by them first) and keep every `intersect` set's common values non-empty. With a
 * team size range, an anchor that waited `shrinkAfterMs` and found no full match
 * takes the largest equal team size its compatible candidates fill. No entry is
 * in two matches; parties are never split. Deterministic: the same snapshot (in
 * any order), rules and `now` give the same matches.
 * Cost: two sorts plus a walk that skips matched entries in O(1).
 *
 * @example
 * formMatches(queue.snapshot('duel/eu'), config.modes.duel, now)
 */
export function formMatches<W extends Waiting>(snapshot: readonly W[], rules: MatchRules, now: number): FormedMatch<W>[] {
  const equal = rules.attributes?.equal ?? [];
  if (equal.length === 0) return formIn(snapshot, rules, now);
  return partitionByEqual(snapshot, equal).flatMap((part) => formIn(part, rules, now));
}

function formIn<W extends Waiting>(snapshot: readonly W[], rules: MatchRules, now: number): FormedMatch<W>[] {
  const { teams } = rules;
  const sizes = teamSizeOf(rules);
  const need = teams * sizes.max;
  const n = snapshot.length;
  const size = new Int32Array(n);
  const mean = new Float64Array(n);
  const window = new Float64Array(n);
  // Read once here, in snapshot order: the walk and the ties reach entries in rating order,
  // all over the heap, and a cache miss per read costs more than the rest of the walk.
  const subs = new Array<string>(n);
  let players = 0;
  for (let i = 0; i < n; i++) {
    const entry = snapshot[i]!;
    subs[i] = entry.sub;
    const party = entry.party;
    let sum = entry.rating;
    if (party) for (const member of party) sum += member.rating;
    size[i] = 1 + (party?.length ?? 0);
    mean[i] = sum / size[i]!;
    window[i] = ratingWindow(rules.ratingWindow, now - entry.queuedAt);
    players += size[i]!;
  }
  if (players < teams * sizes.min) return [];

  const regionNames = rules.latency === undefined ? [] : (rules.regions?.slice(0, MAX_REGIONS) ?? regionOrder(snapshot));
  let regions: Int32Array | undefined;
  let latencies: Uint16Array | undefined;
  if (rules.latency !== undefined) {
    latencies = latencyTable(snapshot, regionNames);
    regions = new Int32Array(n);
    for (let i = 0; i < n; i++) regions[i] = maskOf(latencies, regionNames.length, i, latencyBound(rules.latency, now - snapshot[i]!.queuedAt));
  }
  const sets = setMasks(snapshot, rules.attributes?.intersect ?? []);

  const byWait = sortByWait(snapshot, subs);
  const list = new RatingList(sortByRating(mean, byWait));
  const matches: FormedMatch<W>[] = [];

  const figures: Figures = {
    size,
    mean,
    window,
    regions,
    sets,
    setScratch: new Int32Array(sets.length),
    partyCounts: new Int32Array(sizes.max + 1),
    rooms: new Int32Array(teams),
  };
  // One scratch buffer for every attempt: most anchors of a big pool find no match.
  const chosen = new Int32Array(need);
  for (let rank = 0; rank < n; rank++) {
    const anchor = byWait[rank]!;
    if (list.isTaken(anchor) || size[anchor]! > sizes.max || regions?.[anchor] === 0) continue;
    let count = gatherAround(anchor, list, figures, teams, sizes.max, chosen);
    let teamSize = sizes.max;
    if (count < 0) {
      // No full match: a long enough wait allows equal teams of a smaller size.
      if (sizes.min === sizes.max || now - snapshot[anchor]!.queuedAt < sizes.shrinkAfterMs) continue;
      teamSize = shrink(chosen, -count, size, teams, sizes.min, sizes.max - 1);
      if (teamSize === 0) continue;
      count = countFor(chosen, size, teams * teamSize);
    }
    const entries = new Array<W>(count);
    for (let k = 0; k < count; k++) entries[k] = snapshot[chosen[k]!]!;
    const formed =
      count === teams * teamSize ? balanceSolo(soloMembers(chosen, count, subs, mean), teams, teamSize) : balanceTeams(entries.map(membersOf), teams, teamSize);
    if (formed === undefined) continue;
    let placed: { region: string; worstMs: number } | undefined;
    if (regions !== undefined) {
      let mask = -1;
      for (let k = 0; k < count; k++) mask &= regions[chosen[k]!]!;
      placed = placeByTable(latencies!, regionNames, chosen, count, mask);
      if (placed === undefined) continue;
    }
    for (let k = 0; k < count; k++) list.take(chosen[k]!);
    matches.push({
      entries,
      teams: formed,
      ratingSpread: ratingSpread(formed),
      imbalance: teamImbalance(formed),
      ...(placed === undefined ? {} : { region: placed.region, worstLatencyMs: placed.worstMs }),
    });
  }
  return matches;
}

interface Figures {
  readonly size: Int32Array;
  readonly mean: Float64Array;
  readonly window: Float64Array;
  /** Per entry, the regions it may play in now (latency rule), else undefined. */
  readonly regions: Int32Array | undefined;
  /** Per intersect attribute, each entry's value mask. */
  readonly sets: readonly Int32Array[];
  readonly setScratch: Int32Array;
  /** Scratch for the packing check: parties chosen by size, and room left per team. */
  readonly partyCounts: Int32Array;
  readonly rooms: Int32Array;
}

/**
 * Fills `chosen` with the entries (by index) of one full match around `anchor`: their count.
 * When the walk runs out first, minus the count of the compatible entries it did gather.
 */
function gatherAround(anchor: number, list: RatingList, f: Figures, teams: number, teamSize: number, chosen: Int32Array): number {
  const need = teams * teamSize;
  chosen[0] = anchor;
  let count = 1;
  // Parties chosen, by size: solo players always pack, so only parties are checked.
  const parties = f.partyCounts;
  parties.fill(0);
  let total = f.size[anchor]!;
  if (total > 1) parties[total]!++;
  const center = f.mean[anchor]!;
  // Every chosen x needs a candidate inside [x - wx, x + wx]: the intersection is [low, high].
  let low = center - f.window[anchor]!;
  let high = center + f.window[anchor]!;
  let minRating = center;
  let maxRating = center;
  let left = list.before(anchor);
  let right = list.after(anchor);
  const regions = f.regions;
  let regionMask = regions === undefined ? -1 : regions[anchor]!;
  const sets = f.sets;
  const common = f.setScratch;
  for (let k = 0; k < sets.length; k++) common[k] = sets[k]![anchor]!;

  walk: while (total < need) {
    // Ratings only get further away along each side, and [low, high] only narrows.
    if (left !== -1 && f.mean[left]! < low) left = -1;
    if (right !== -1 && f.mean[right]! > high) right = -1;
    if (left === -1 && right === -1) return -count;
    const takeLeft = right === -1 || (left !== -1 && center - f.mean[left]! <= f.mean[right]! - center);
    const candidate = takeLeft ? left : right;
    if (takeLeft) left = list.before(left);
    else right = list.after(right);

    const rating = f.mean[candidate]!;
    const own = f.window[candidate]!;
    const candidateSize = f.size[candidate]!;
    if (maxRating - rating > own || rating - minRating > own) continue;
    if (total + candidateSize > need) continue;
    if (regions !== undefined && (regionMask & regions[candidate]!) === 0) continue;
    for (let k = 0; k < sets.length; k++) if ((common[k]! & sets[k]![candidate]!) === 0) continue walk;
    if (candidateSize > 1) {
      parties[candidateSize]!++;
      if (!partiesFit(parties, teams, teamSize, f.rooms)) {
        parties[candidateSize]!--;
        continue;
      }
    }

    chosen[count++] = candidate;
    total += candidateSize;
    if (regions !== undefined) regionMask &= regions[candidate]!;
    for (let k = 0; k < sets.length; k++) common[k]! &= sets[k]![candidate]!;
    if (rating - own > low) low = rating - own;
    if (rating + own < high) high = rating + own;
    if (rating < minRating) minRating = rating;
    if (rating > maxRating) maxRating = rating;
  }
  return count;
}

/**
 * The largest team size in `min..max` that a subset of the `count` gathered entries fills
 * exactly (anchor first, then nearest first, parties unsplit), moved to the front of `chosen`;
 * 0 when none does. Any subset of compatible entries is itself compatible.
 */
function shrink(chosen: Int32Array, count: number, size: Int32Array, teams: number, min: number, max: number): number {
  let players = 0;
  for (let k = 0; k < count; k++) players += size[chosen[k]!]!;
  for (let teamSize = Math.min(max, Math.floor(players / teams)); teamSize >= min; teamSize--) {
    const need = teams * teamSize;
    const picked: number[] = [];
    const sizes: number[] = [];
    let total = 0;
    for (let k = 0; k < count && total < need; k++) {
      const s = size[chosen[k]!]!;
      if (total + s > need || !canPack([...sizes, s], teams, teamSize)) {
        if (k === 0) break;
        continue;
      }
      picked.push(chosen[k]!);
      sizes.push(s);
      total += s;
    }
    if (total === need && picked[0] === chosen[0]) {
      const rest = Array.from(chosen.subarray(0, count)).filter((i) => !picked.includes(i));
      chosen.set([...picked, ...rest]);
      return teamSize;
    }
  }
  return 0;
}

/** How many leading entries of `chosen` hold `players` players. */
function countFor(chosen: Int32Array, size: Int32Array, players: number): number {
  let total = 0;
  let k = 0;
  while (total < players) total += size[chosen[k++]!]!;
  return k;
}

/** Entries in rating order as a doubly linked list, so walks skip matched entries in O(1). */
class RatingList {
  readonly #order: Int32Array;
  readonly #position: Int32Array;
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  readonly #taken: Uint8Array;

  constructor(order: Int32Array) {
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

/** Solo players' members from the per-tick arrays (a solo entry's mean is its rating). */
function soloMembers(chosen: Int32Array, count: number, subs: readonly string[], mean: Float64Array): Member[] {
  const members = new Array<Member>(count);
  for (let k = 0; k < count; k++) members[k] = { sub: subs[chosen[k]!]!, rating: mean[chosen[k]!]! };
  return members;
}

function membersOf(entry: Waiting): Group {
  const party = entry.party;
  const group: Member[] = [{ sub: entry.sub, rating: entry.rating }];
  if (party !== undefined) for (let m = 0; m < party.length; m++) group.push(party[m]!);
  return group;
}

// Sorting 100k entries with a comparator costs more than the whole match walk, so both
// orders are a stable radix sort on a small integer key (wait in ms, rating in steps);
// only runs of equal keys (rare, short) go through a comparator.
const MAX_KEY = 2 ** 26;
const RATING_STEPS = 16;

/** Entry indices, longest wait first; equal `queuedAt` ordered by `sub`. */
function sortByWait(snapshot: readonly Waiting[], subs: readonly string[]): Int32Array {
  const n = snapshot.length;
  let oldest = Infinity;
  let newest = -Infinity;
  for (const entry of snapshot) {
    if (entry.queuedAt < oldest) oldest = entry.queuedAt;
    if (entry.queuedAt > newest) newest = entry.queuedAt;
  }
  const bySub = (a: number, b: number) => compareStrings(subs[a]!, subs[b]!);
  if (!(newest - oldest < MAX_KEY) || !Number.isInteger(newest - oldest)) {
    return Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => snapshot[a]!.queuedAt - snapshot[b]!.queuedAt || bySub(a, b));
  }
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = snapshot[i]!.queuedAt - oldest;
  return fixRuns(radixOrder(keys, identity(n)), bySub);
}

/** Entry indices by mean rating; equal ratings keep the wait order. */
function sortByRating(mean: Float64Array, byWait: Int32Array): Int32Array {
  const n = mean.length;
  let lowest = Infinity;
  let highest = -Infinity;
  for (const m of mean) {
    if (m < lowest) lowest = m;
    if (m > highest) highest = m;
  }
  const waitRank = new Int32Array(n);
  for (let rank = 0; rank < n; rank++) waitRank[byWait[rank]!] = rank;
  const exact = (a: number, b: number) => mean[a]! - mean[b]! || waitRank[a]! - waitRank[b]!;
  // The claims schema bounds ratings to ±1e6, so the stepped rating fits the key; if not, compare.
  if (!((highest - lowest) * RATING_STEPS < MAX_KEY)) return Int32Array.from(byWait).sort(exact);
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = Math.floor((mean[i]! - lowest) * RATING_STEPS);
  // Stable over the wait order: equal steps stay in wait order; then exact rating inside a step.
  return fixRuns(radixOrder(keys, byWait), exact);
}

function identity(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

interface Sorted {
  /** Entry indices in key order. */
  readonly order: Int32Array;
  /** `keys[order[p]]` at each position p, so runs of equal keys are found by a sequential scan. */
  readonly keys: Uint32Array;
}

/** `input` (entry indices) stably sorted by `keys[index]` (< 2^26): two 13-bit counting passes. */
function radixOrder(keys: Uint32Array, input: Int32Array): Sorted {
  const n = input.length;
  const buffer = new Int32Array(n);
  const output = new Int32Array(n);
  const sortedKeys = new Uint32Array(n);
  const counts = new Int32Array(8192);
  for (const [shift, from, to] of [
    [0, input, buffer],
    [13, buffer, output],
  ] as const) {
    counts.fill(0);
    for (let p = 0; p < n; p++) counts[(keys[from[p]!]! >>> shift) & 8191]!++;
    let sum = 0;
    for (let d = 0; d < 8192; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let p = 0; p < n; p++) {
      const i = from[p]!;
      const key = keys[i]!;
      const at = counts[(key >>> shift) & 8191]!++;
      to[at] = i;
      if (shift !== 0) sortedKeys[at] = key;
    }
  }
  return { order: output, keys: sortedKeys };
}

/** Orders with `compare`, in place, each run of positions whose entries share a key. */
function fixRuns({ order, keys }: Sorted, compare: (a: number, b: number) => number): Int32Array {
  const n = order.length;
  let start = 0;
  while (start < n) {
    const key = keys[start]!;
    let end = start + 1;
    while (end < n && keys[end] === key) end++;
    // Runs are short in a real pool, but `queuedAt` is the client's to pick: a long run
    // (many players claiming the same millisecond) must not cost quadratic time.
    if (end - start > 32) order.subarray(start, end).sort(compare);
    else insertionSort(order, start, end, compare);
    start = end;
  }
  return order;
}

function insertionSort(order: Int32Array, start: number, end: number, compare: (a: number, b: number) => number): void {
  for (let p = start + 1; p < end; p++) {
    const current = order[p]!;
    let q = p;
    while (q > start && compare(order[q - 1]!, current) > 0) {
      order[q] = order[q - 1]!;
      q--;
    }
    order[q] = current;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
