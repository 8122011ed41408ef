// When a (re)started matchmaker may start matching: once the players and matches its clients
// hold have come back, not after a fixed time that a loaded machine can outlast.

export interface WarmupOptions {
  /** Never shorter: one resubmit interval plus its jitter, plus a margin (WARMUP_MS). */
  readonly minMs: number;
  /** The clients' resubmit interval: the window in which arrivals are counted. */
  readonly intervalMs: number;
  /** Never longer, whatever keeps arriving. Default 3 × minMs. */
  readonly maxMs?: number;
}

/**
 * Warm-up lasts at least `minMs`, then until the last interval brought at most 5 % of the
 * players seen since the start (and at most `maxMs`). A restart's arrivals come in a burst
 * that takes about one interval on a quiet machine and longer on a loaded one; after it,
 * only players who are new anyway keep arriving. Arrivals: a player queued for the first
 * time since the start, or a player put in a match rebuilt from a member's re-announcement.
 *
 * @example
 * const warmup = new Warmup({ minMs: 7_000, intervalMs: 5_000 });
 * warmup.start(now); ... warmup.arrived(now); ... if (!warmup.isWarmingUp(now)) formMatches();
 */
export class Warmup {
  readonly #minMs: number;
  readonly #intervalMs: number;
  readonly #maxMs: number;
  #startedAt = 0;
  // Arrival times since the start, in order; dropped once warm-up is over.
  #arrivals: number[] = [];
  #over = false;

  constructor(options: WarmupOptions) {
    this.#minMs = options.minMs;
    this.#intervalMs = options.intervalMs;
    this.#maxMs = options.maxMs ?? 3 * options.minMs;
  }

  start(now: number): void {
    this.#startedAt = now;
    this.#arrivals = [];
    this.#over = false;
  }

  arrived(now: number, players = 1): void {
    if (this.#over) return;
    for (let i = 0; i < players; i++) this.#arrivals.push(now);
  }

  isWarmingUp(now: number): boolean {
    if (this.#over) return false;
    const elapsed = now - this.#startedAt;
    if (elapsed < this.#minMs) return true;
    const total = this.#arrivals.length;
    if (elapsed < this.#maxMs && this.#recent(now) > Math.max(2, 0.05 * total)) return true;
    this.#over = true;
    this.#arrivals = [];
    return false;
  }

  /** Arrivals within the last interval: a binary search, the times being in order. */
  #recent(now: number): number {
    const since = now - this.#intervalMs;
    let lo = 0;
    let hi = this.#arrivals.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#arrivals[mid]! <= since) lo = mid + 1;
      else hi = mid;
    }
    return this.#arrivals.length - lo;
  }
}
