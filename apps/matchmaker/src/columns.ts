// A pool's entries as flat typed arrays: all that match formation reads. Built on the event loop
// a slice of entries at a time, then handed to the formation thread without a copy (their
// buffers are transferred), so forming a million players' matches never reads an object there.
import { MISSING_BIT, asSet } from './attributes.ts';
import type { MatchRules, Waiting } from './form-matches.ts';
import { NO_FIGURE } from './latency.ts';

export interface Columns {
  /** Entries (groups); entry i is the i-th added. */
  readonly count: number;
  /** Players per entry. */
  readonly size: Int32Array;
  readonly queuedAt: Float64Array;
  /** The leader's rating uncertainty (0 when the ticket carries none). */
  readonly uncertainty: Float64Array;
  /** A hash of the leader's `sub`: orders entries of equal `queuedAt` whatever the snapshot order. */
  readonly tie: Int32Array;
  /** Entry i's players' ratings are `ratings[ratingStart[i] .. ratingStart[i + 1])`, leader first. */
  readonly ratingStart: Int32Array;
  readonly ratings: Float64Array;
  /** Under a latency rule: the regions in bit order, and each entry's row of latencies (NO_FIGURE where it has none). */
  readonly regions: readonly string[];
  readonly latencies: Uint16Array | undefined;
  /** Per `intersect` attribute, each entry's value mask (attributes.ts). */
  readonly sets: readonly Int32Array[];
  /** Per entry, its `equal` attributes' partition, numbered in the sorted order of their values. */
  readonly part: Int32Array | undefined;
}

/**
 * Adds entries one at a time (so a caller can stop between slices) and gives the columns.
 * Set values get mask bits in the order first seen, at most 31 per attribute (the config caps
 * an allow-list there), which decides nothing: only which bits two masks share matters.
 *
 * @example
 * const builder = new ColumnsBuilder(rules, regions, pool.size);
 * for (const entry of pool) builder.add(entry);
 * formOnColumns(builder.finish(), rules, now);
 */
export class ColumnsBuilder {
  readonly #regions: readonly string[];
  readonly #intersect: readonly string[];
  readonly #equal: readonly string[];
  readonly #bits: Map<string, number>[];
  readonly #parts = new Map<string, number>();
  #count = 0;
  #players = 0;
  #size: Int32Array;
  #queuedAt: Float64Array;
  #uncertainty: Float64Array;
  #tie: Int32Array;
  #ratingStart: Int32Array;
  #ratings: Float64Array;
  #latencies: Uint16Array | undefined;
  #sets: Int32Array[];
  #part: Int32Array | undefined;

  /**
   * `recycled`: the columns of an earlier formation (handed back by the formation thread),
   * whose buffers are filled again where they are large enough. A million entries' columns
   * are tens of megabytes, and allocating them every second drove V8's full collections.
   */
  constructor(rules: MatchRules, regions: readonly string[], capacity = 1024, recycled?: Columns) {
    const n = Math.max(16, capacity);
    this.#regions = rules.latency === undefined ? [] : regions;
    this.#intersect = rules.attributes?.intersect ?? [];
    this.#equal = rules.attributes?.equal ?? [];
    this.#bits = this.#intersect.map(() => new Map());
    this.#size = reuse(Int32Array, recycled?.size, n);
    this.#queuedAt = reuse(Float64Array, recycled?.queuedAt, n);
    this.#uncertainty = reuse(Float64Array, recycled?.uncertainty, n);
    this.#tie = reuse(Int32Array, recycled?.tie, n);
    this.#ratingStart = reuse(Int32Array, recycled?.ratingStart, n + 1);
    this.#ratings = reuse(Float64Array, recycled?.ratings, n);
    this.#latencies = rules.latency === undefined ? undefined : reuse(Uint16Array, recycled?.latencies, n * this.#regions.length);
    this.#sets = this.#intersect.map((_, a) => reuse(Int32Array, recycled?.sets[a], n));
    this.#part = this.#equal.length === 0 ? undefined : reuse(Int32Array, recycled?.part, n);
    this.#ratingStart[0] = 0;
  }

  get count(): number {
    return this.#count;
  }

  add(entry: Waiting): void {
    const i = this.#count;
    if (i === this.#size.length) this.#grow();
    const party = entry.party;
    const size = party === undefined ? 1 : 1 + party.length;
    if (this.#players + size > this.#ratings.length) this.#ratings = resized(this.#ratings, 2 * (this.#players + size));
    this.#size[i] = size;
    this.#queuedAt[i] = entry.queuedAt;
    this.#uncertainty[i] = entry.uncertainty ?? 0;
    this.#tie[i] = entry.tie ?? tieOf(entry.sub);
    this.#ratings[this.#players] = entry.rating;
    if (party !== undefined) for (let k = 0; k < party.length; k++) this.#ratings[this.#players + 1 + k] = party[k]!.rating;
    this.#players += size;
    this.#ratingStart[i + 1] = this.#players;
    if (this.#latencies !== undefined) {
      const width = this.#regions.length;
      const latencies = entry.latencies;
      for (let r = 0; r < width; r++) this.#latencies[i * width + r] = latencies?.[this.#regions[r]!] ?? NO_FIGURE;
    }
    for (let a = 0; a < this.#intersect.length; a++) {
      const own = entry.attributes?.[this.#intersect[a]!];
      let mask = 0;
      if (own === undefined) mask = MISSING_BIT;
      else {
        const bits = this.#bits[a]!;
        for (const value of asSet(own)) {
          let bit = bits.get(value);
          if (bit === undefined && bits.size < 31) bits.set(value, (bit = 1 << bits.size));
          mask |= bit ?? 0;
        }
      }
      this.#sets[a]![i] = mask;
    }
    if (this.#part !== undefined) {
      const key = JSON.stringify(this.#equal.map((name) => entry.attributes?.[name] ?? null));
      let part = this.#parts.get(key);
      if (part === undefined) this.#parts.set(key, (part = this.#parts.size));
      this.#part[i] = part;
    }
    this.#count++;
  }

  finish(): Columns {
    const n = this.#count;
    let part = this.#part?.subarray(0, n);
    if (part !== undefined) {
      // Numbered by sorted key, so the numbering does not depend on the order entries came in.
      const rank = new Int32Array(this.#parts.size);
      [...this.#parts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).forEach(([, id], r) => (rank[id] = r));
      part = part.map((id) => rank[id]!);
    }
    return {
      count: n,
      // Views, not copies: a million entries' columns are megabytes the event loop need not copy.
      size: this.#size.subarray(0, n),
      queuedAt: this.#queuedAt.subarray(0, n),
      uncertainty: this.#uncertainty.subarray(0, n),
      tie: this.#tie.subarray(0, n),
      ratingStart: this.#ratingStart.subarray(0, n + 1),
      ratings: this.#ratings.subarray(0, this.#players),
      regions: this.#regions,
      latencies: this.#latencies?.subarray(0, n * this.#regions.length),
      sets: this.#sets.map((masks) => masks.subarray(0, n)),
      part,
    };
  }

  #grow(): void {
    const n = 2 * this.#size.length;
    this.#size = resized(this.#size, n);
    this.#queuedAt = resized(this.#queuedAt, n);
    this.#uncertainty = resized(this.#uncertainty, n);
    this.#tie = resized(this.#tie, n);
    this.#ratingStart = resized(this.#ratingStart, n + 1);
    if (this.#latencies !== undefined) this.#latencies = resized(this.#latencies, n * this.#regions.length);
    this.#sets = this.#sets.map((masks) => resized(masks, n));
    if (this.#part !== undefined) this.#part = resized(this.#part, n);
  }
}

/** The buffers to transfer to another thread with the columns. */
export function buffersOf(columns: Columns): ArrayBuffer[] {
  const arrays = [columns.size, columns.queuedAt, columns.uncertainty, columns.tie, columns.ratingStart, columns.ratings, columns.latencies, columns.part, ...columns.sets];
  return arrays.flatMap((array) => (array === undefined ? [] : [array.buffer as ArrayBuffer]));
}

/** A whole-buffer view of `old`'s buffer when it holds `length`, else a new array. */
function reuse<T extends Int32Array | Float64Array | Uint16Array>(Type: { new (buffer: ArrayBuffer): T; new (length: number): T; BYTES_PER_ELEMENT: number }, old: T | undefined, length: number): T {
  const buffer = old?.buffer as ArrayBuffer | undefined;
  if (buffer !== undefined && buffer.byteLength >= length * Type.BYTES_PER_ELEMENT && buffer.byteLength % Type.BYTES_PER_ELEMENT === 0) return new Type(buffer);
  return new Type(length);
}

/** A new array of `length` holding `array`'s first elements (as many as fit). */
export function resized<T extends Int32Array | Float64Array | Uint16Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array.subarray(0, Math.min(array.length, length)));
  return next;
}

/**
 * The order of entries with equal `queuedAt`: FNV-1a over the UTF-16 code units of `sub`, the
 * same for the same `sub` on every thread and in every snapshot order.
 */
export function tieOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
