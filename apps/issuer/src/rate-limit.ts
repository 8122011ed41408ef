// Sliding-window attempt limits (login per username and per address). Pure: the clock is an argument.

export interface SlidingWindowOptions {
  /** Attempts allowed in any window of `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
  /** Keys tracked at most; the least recently used is forgotten first. Default 100,000. */
  readonly maxKeys?: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** When refused: how long until one attempt is free again. 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * A sliding log: each key keeps the times of its last `limit` attempts, so
 * the bound is exact (no fixed-window burst at the boundary) and memory per
 * key is O(limit).
 *
 * @example
 * const byName = new SlidingWindow({ limit: 10, windowMs: 300_000 });
 * if (byName.check('alice', now).allowed) byName.record('alice', now);
 */
export class SlidingWindow {
  readonly #attempts = new Map<string, number[]>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;

  constructor(options: SlidingWindowOptions) {
    if (!(options.limit >= 1) || !(options.windowMs > 0)) throw new TypeError('limit >= 1 and windowMs > 0 required');
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Whether one more attempt for `key` would be within the limit; changes nothing. */
  check(key: string, now: number): RateDecision {
    const times = this.#recent(key, now);
    if (times.length < this.#limit) return { allowed: true, retryAfterMs: 0 };
    const oldest = times[times.length - this.#limit] as number;
    return { allowed: false, retryAfterMs: Math.max(1, oldest + this.#windowMs - now) };
  }

  /** Counts an attempt for `key` at `now`. */
  record(key: string, now: number): void {
    const times = this.#recent(key, now);
    times.push(now);
    if (times.length > this.#limit) times.splice(0, times.length - this.#limit);
    // Re-inserting moves the key to the young end, so eviction below drops the stalest key.
    this.#attempts.delete(key);
    this.#attempts.set(key, times);
    if (this.#attempts.size > this.#maxKeys) {
      const stalest = this.#attempts.keys().next().value as string;
      this.#attempts.delete(stalest);
    }
  }

  get size(): number {
    return this.#attempts.size;
  }

  #recent(key: string, now: number): number[] {
    const times = this.#attempts.get(key);
    if (times === undefined) return [];
    const firstLive = times.findIndex((t) => t > now - this.#windowMs);
    if (firstLive === -1) {
      this.#attempts.delete(key);
      return [];
    }
    if (firstLive > 0) times.splice(0, firstLive);
    return times;
  }
}
