// Match formation: a pure function of a pool snapshot, the mode's rules and the clock.
import { teamSizeOf, type ModeRules } from '@ticketbooth/config';
import type { Attributes, Member } from '@ticketbooth/tickets';
import type { AttributeRules } from './attributes.ts';
import { ColumnsBuilder, resized, type Columns } from './columns.ts';
import { MAX_REGIONS, latencyBound, maskOf, placeByTable, regionOrder, type Latencies, type LatencyRule } from './latency.ts';
import { balanceSolo, balanceTeams, canPack, partiesFit, ratingSpread, teamImbalance } from './teams.ts';
import { ratingWindow, type RatingWindowRules } from './widening.ts';

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
  /** `tieOf(sub)` if the entry keeps it (columns.ts); computed otherwise. */
  readonly tie?: number;
  /** The rating's uncertainty the ticket carries (its sigma): widens the start of this search's window. */
  readonly uncertainty?: number | undefined;
}

export type MatchRules = Pick<ModeRules, 'teams' | 'teamSize'> & {
  readonly ratingWindow: RatingWindowRules;
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
 * any order), rules and `now` give the same matches (equal waits are ordered by a
 * 32-bit hash of `sub`; two such entries whose hashes collide keep snapshot order).
 * Cost: two sorts plus a walk that skips matched entries in O(1).
 *
 * @example
 * formMatches(queue.snapshot('duel/eu'), config.modes.duel, now)
 */
export function formMatches<W extends Waiting>(snapshot: readonly W[], rules: MatchRules, now: number): FormedMatch<W>[] {
  const regions = rules.latency === undefined ? [] : (rules.regions?.slice(0, MAX_REGIONS) ?? regionOrder(snapshot));
  const builder = new ColumnsBuilder(rules, regions, snapshot.length);
  for (const entry of snapshot) builder.add(entry);
  const formed = formOnColumns(builder.finish(), rules, now);
  return Array.from({ length: formed.count }, (_, j) => formedMatch(snapshot, formed, j, regions));
}

/**
 * `formMatches` on the columns of a snapshot (columns.ts), with no object of the pool in reach:
 * it runs as well on the formation thread. Matches come as indices into the columns.
 */
export function formOnColumns(columns: Columns, rules: MatchRules, now: number): ColumnMatches {
  const { teams } = rules;
  const sizes = teamSizeOf(rules);
  const need = teams * sizes.max;
  const n = columns.count;
  const { size, queuedAt, uncertainty, ratingStart, ratings } = columns;
  const mean = new Float64Array(n);
  const window = new Float64Array(n);
  let players = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let p = ratingStart[i]!; p < ratingStart[i + 1]!; p++) sum += ratings[p]!;
    mean[i] = sum / size[i]!;
    window[i] = ratingWindow(rules.ratingWindow, now - queuedAt[i]!, uncertainty[i]!);
    players += size[i]!;
  }
  const out = new MatchesBuilder();
  if (players < teams * sizes.min) return out.finish();

  const width = columns.regions.length;
  let regions: Int32Array | undefined;
  if (rules.latency !== undefined && columns.latencies !== undefined) {
    regions = new Int32Array(n);
    for (let i = 0; i < n; i++) regions[i] = maskOf(columns.latencies, width, i, latencyBound(rules.latency, now - queuedAt[i]!));
  }
  const byWait = sortByWait(queuedAt, columns.tie);
  // The walk reads an anchor's rating neighbours: with every figure laid out in rating order,
  // they sit side by side in memory, where a pool of a million in entry order would cost a
  // cache miss per neighbour per figure.
  const order = sortByRating(mean, byWait);
  const position = new Int32Array(n);
  for (let p = 0; p < n; p++) position[order[p]!] = p;
  const figures: Figures = {
    size: inOrder(size, order),
    mean: inOrder(mean, order),
    window: inOrder(window, order),
    regions: regions === undefined ? undefined : inOrder(regions, order),
    sets: columns.sets.map((masks) => inOrder(masks, order)),
    setScratch: new Int32Array(columns.sets.length),
    part: columns.part === undefined ? undefined : inOrder(columns.part, order),
    partyCounts: new Int32Array(sizes.max + 1),
    rooms: new Int32Array(teams),
  };
  const list = new RatingList(n);
  // Scratch buffers for every attempt (most anchors of a big pool find no match): rating
  // positions as gathered, and the same as entries.
  const chosen = new Int32Array(need);
  const picked = new Int32Array(need);
  for (let rank = 0; rank < n; rank++) {
    const anchor = byWait[rank]!;
    const at = position[anchor]!;
    if (list.isTaken(at) || size[anchor]! > sizes.max || figures.regions?.[at] === 0) continue;
    let count = gatherAround(at, list, figures, teams, sizes.max, chosen);
    let teamSize = sizes.max;
    if (count < 0) {
      // No full match: a long enough wait allows equal teams of a smaller size.
      if (sizes.min === sizes.max || now - queuedAt[anchor]! < sizes.shrinkAfterMs) continue;
      teamSize = shrink(chosen, -count, figures.size, teams, sizes.min, sizes.max - 1);
      if (teamSize === 0) continue;
      count = countFor(chosen, figures.size, teams * teamSize);
    }
    for (let k = 0; k < count; k++) picked[k] = order[chosen[k]!]!;
    const formed = count === teams * teamSize ? balanceSolo(soloSeats(picked, count, ratingStart, ratings), teams, teamSize) : balanceTeams(groupSeats(picked, count, ratingStart, ratings), teams, teamSize);
    if (formed === undefined) continue;
    let region = -1;
    let worstMs = 0;
    if (figures.regions !== undefined) {
      let mask = -1;
      for (let k = 0; k < count; k++) mask &= figures.regions[chosen[k]!]!;
      const placed = placeByTable(columns.latencies!, width, picked, count, mask);
      if (placed === undefined) continue;
      [region, worstMs] = placed;
    }
    for (let k = 0; k < count; k++) list.take(chosen[k]!);
    out.add(picked, count, formed, ratingSpread(formed), teamImbalance(formed), region, worstMs);
  }
  return out.finish();
}

/** A player's seat in a match being balanced: its rating, and where it comes from in the columns. */
interface Seat {
  readonly rating: number;
  readonly entry: number;
  /** 0 for the entry's leader, k for its k-th party member. */
  readonly member: number;
}

function soloSeats(chosen: Int32Array, count: number, ratingStart: Int32Array, ratings: Float64Array): Seat[] {
  const seats = new Array<Seat>(count);
  for (let k = 0; k < count; k++) seats[k] = { rating: ratings[ratingStart[chosen[k]!]!]!, entry: chosen[k]!, member: 0 };
  return seats;
}

function groupSeats(chosen: Int32Array, count: number, ratingStart: Int32Array, ratings: Float64Array): Seat[][] {
  const groups = new Array<Seat[]>(count);
  for (let k = 0; k < count; k++) {
    const e = chosen[k]!;
    const group: Seat[] = [];
    for (let p = ratingStart[e]!; p < ratingStart[e + 1]!; p++) group.push({ rating: ratings[p]!, entry: e, member: p - ratingStart[e]! });
    groups[k] = group;
  }
  return groups;
}

/** Matches found on columns, as flat arrays that cross to another thread without a copy. */
export interface ColumnMatches {
  readonly count: number;
  /** Match j takes entries `entries[entryStart[j] .. entryStart[j + 1])`, anchor first. */
  readonly entryStart: Int32Array;
  readonly entries: Int32Array;
  /** Match j's players team after team, `teamSize[j]` per team: entry index and member index. */
  readonly playerStart: Int32Array;
  readonly playerEntry: Int32Array;
  readonly playerMember: Int32Array;
  readonly teamSize: Int32Array;
  readonly ratingSpread: Float64Array;
  readonly imbalance: Float64Array;
  /** Under a latency rule: the region placed in (an index into the columns' regions), else -1. */
  readonly region: Int32Array;
  readonly worstLatencyMs: Float64Array;
}

/** The buffers to transfer with the matches. */
export function matchBuffers(matches: ColumnMatches): ArrayBuffer[] {
  const { entryStart, entries, playerStart, playerEntry, playerMember, teamSize, ratingSpread, imbalance, region, worstLatencyMs } = matches;
  return [entryStart, entries, playerStart, playerEntry, playerMember, teamSize, ratingSpread, imbalance, region, worstLatencyMs].map((a) => a.buffer as ArrayBuffer);
}

/** Match `j` of `matches` in terms of the snapshot the columns were built from, in order. */
export function formedMatch<W extends Waiting>(snapshot: readonly W[], matches: ColumnMatches, j: number, regions: readonly string[]): FormedMatch<W> {
  const entries: W[] = [];
  for (let k = matches.entryStart[j]!; k < matches.entryStart[j + 1]!; k++) entries.push(snapshot[matches.entries[k]!]!);
  const from = matches.playerStart[j]!;
  const players = matches.playerStart[j + 1]! - from;
  const teamSize = matches.teamSize[j]!;
  const teams: Member[][] = [];
  for (let t = 0; t < players / teamSize; t++) {
    const team: Member[] = [];
    for (let q = from + t * teamSize; q < from + (t + 1) * teamSize; q++) {
      const entry = snapshot[matches.playerEntry[q]!]!;
      const member = matches.playerMember[q]!;
      team.push(member === 0 ? { sub: entry.sub, rating: entry.rating } : entry.party![member - 1]!);
    }
    teams.push(team);
  }
  const region = matches.region[j]!;
  return {
    entries,
    teams,
    ratingSpread: matches.ratingSpread[j]!,
    imbalance: matches.imbalance[j]!,
    ...(region === -1 ? {} : { region: regions[region]!, worstLatencyMs: matches.worstLatencyMs[j]! }),
  };
}

/** Matches as they are found, in typed arrays grown by doubling. */
class MatchesBuilder {
  #count = 0;
  #entryCount = 0;
  #playerCount = 0;
  #entryStart = new Int32Array(257);
  #entries = new Int32Array(1024);
  #playerStart = new Int32Array(257);
  #playerEntry = new Int32Array(1024);
  #playerMember = new Int32Array(1024);
  #teamSize = new Int32Array(256);
  #ratingSpread = new Float64Array(256);
  #imbalance = new Float64Array(256);
  #region = new Int32Array(256);
  #worst = new Float64Array(256);

  add(chosen: Int32Array, count: number, teams: readonly (readonly Seat[])[], spread: number, imbalance: number, region: number, worstMs: number): void {
    const j = this.#count;
    if (j === this.#teamSize.length) this.#growMatches();
    if (this.#entryCount + count > this.#entries.length) this.#entries = resized(this.#entries, 2 * (this.#entryCount + count));
    for (let k = 0; k < count; k++) this.#entries[this.#entryCount++] = chosen[k]!;
    this.#entryStart[j + 1] = this.#entryCount;
    const teamSize = teams[0]!.length;
    const players = teams.length * teamSize;
    if (this.#playerCount + players > this.#playerEntry.length) {
      this.#playerEntry = resized(this.#playerEntry, 2 * (this.#playerCount + players));
      this.#playerMember = resized(this.#playerMember, this.#playerEntry.length);
    }
    for (let t = 0; t < teams.length; t++) {
      const team = teams[t]!;
      for (let q = 0; q < team.length; q++) {
        this.#playerEntry[this.#playerCount] = team[q]!.entry;
        this.#playerMember[this.#playerCount++] = team[q]!.member;
      }
    }
    this.#playerStart[j + 1] = this.#playerCount;
    this.#teamSize[j] = teamSize;
    this.#ratingSpread[j] = spread;
    this.#imbalance[j] = imbalance;
    this.#region[j] = region;
    this.#worst[j] = worstMs;
    this.#count++;
  }

  finish(): ColumnMatches {
    const m = this.#count;
    return {
      count: m,
      entryStart: this.#entryStart.slice(0, m + 1),
      entries: this.#entries.slice(0, this.#entryCount),
      playerStart: this.#playerStart.slice(0, m + 1),
      playerEntry: this.#playerEntry.slice(0, this.#playerCount),
      playerMember: this.#playerMember.slice(0, this.#playerCount),
      teamSize: this.#teamSize.slice(0, m),
      ratingSpread: this.#ratingSpread.slice(0, m),
      imbalance: this.#imbalance.slice(0, m),
      region: this.#region.slice(0, m),
      worstLatencyMs: this.#worst.slice(0, m),
    };
  }

  #growMatches(): void {
    const m = 2 * this.#teamSize.length;
    this.#entryStart = resized(this.#entryStart, m + 1);
    this.#playerStart = resized(this.#playerStart, m + 1);
    this.#teamSize = resized(this.#teamSize, m);
    this.#ratingSpread = resized(this.#ratingSpread, m);
    this.#imbalance = resized(this.#imbalance, m);
    this.#region = resized(this.#region, m);
    this.#worst = resized(this.#worst, m);
  }
}

/** What the walk reads, each indexed by rating position. */
interface Figures {
  readonly size: Int32Array;
  readonly mean: Float64Array;
  readonly window: Float64Array;
  /** The regions each may play in now (latency rule), else undefined. */
  readonly regions: Int32Array | undefined;
  /** Per intersect attribute, the value masks. */
  readonly sets: readonly Int32Array[];
  readonly setScratch: Int32Array;
  /** The `equal` attributes' partitions; entries of two partitions never meet. */
  readonly part: Int32Array | undefined;
  /** Scratch for the packing check: parties chosen by size, and room left per team. */
  readonly partyCounts: Int32Array;
  readonly rooms: Int32Array;
}

/**
 * Fills `chosen` with the rating positions of one full match around `anchor`: their count.
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
  const part = f.part;
  const ownPart = part === undefined ? 0 : part[anchor]!;

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
    if (part !== undefined && part[candidate] !== ownPart) continue;
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

/** Rating positions as a doubly linked list, so walks skip matched entries in O(1). */
class RatingList {
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  readonly #taken: Uint8Array;

  constructor(n: number) {
    this.#prev = new Int32Array(n);
    this.#next = new Int32Array(n);
    this.#taken = new Uint8Array(n);
    for (let p = 0; p < n; p++) {
      this.#prev[p] = p - 1;
      this.#next[p] = p + 1 < n ? p + 1 : -1;
    }
  }

  isTaken(p: number): boolean {
    return this.#taken[p] === 1;
  }

  /** The untaken position just below, or -1. */
  before(p: number): number {
    return this.#prev[p]!;
  }

  after(p: number): number {
    return this.#next[p]!;
  }

  take(p: number): void {
    const prev = this.#prev[p]!;
    const next = this.#next[p]!;
    if (prev !== -1) this.#next[prev] = next;
    if (next !== -1) this.#prev[next] = prev;
    this.#taken[p] = 1;
  }
}

/** `values` (by entry) laid out by rating position: `result[p] = values[order[p]]`. */
function inOrder<T extends Int32Array | Float64Array>(values: T, order: Int32Array): T {
  const result = new (values.constructor as new (length: number) => T)(order.length);
  for (let p = 0; p < order.length; p++) result[p] = values[order[p]!]!;
  return result;
}

// Sorting 100k entries with a comparator costs more than the whole match walk, so both
// orders are a stable radix sort on a small integer key (wait in ms, rating in steps);
// only runs of equal keys (rare, short) go through a comparator.
const MAX_KEY = 2 ** 26;
const RATING_STEPS = 16;

/** Entry indices, longest wait first; equal `queuedAt` ordered by the hash of `sub`. */
function sortByWait(queuedAt: Float64Array, tie: Int32Array): Int32Array {
  const n = queuedAt.length;
  let oldest = Infinity;
  let newest = -Infinity;
  for (let i = 0; i < n; i++) {
    const at = queuedAt[i]!;
    if (at < oldest) oldest = at;
    if (at > newest) newest = at;
  }
  const byTie = (a: number, b: number) => tie[a]! - tie[b]!;
  if (!(newest - oldest < MAX_KEY) || !Number.isInteger(newest - oldest)) {
    return identity(n).sort((a, b) => queuedAt[a]! - queuedAt[b]! || byTie(a, b));
  }
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = queuedAt[i]! - oldest;
  return fixRuns(radixOrder(keys, identity(n)), byTie);
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
