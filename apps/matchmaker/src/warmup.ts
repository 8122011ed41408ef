// When a (re)started matchmaker may start matching: once the players and matches its clients
// hold have come back, not after a fixed time that a loaded machine can outlast.

export interface WarmupOptions {
  /** Never shorter: one resubmit interval plus its jitter, plus a margin (WARMUP_MS). */
  readonly minMs: number;
  /** The clients' resubmit interval: the window in which arrivals are counted. */
  readonly intervalMs: number;
  /** Never longer, whatever keeps arriving. Default 5 × minMs. */
  readonly maxMs?: number;
  /** No client request for this long, and the next one starts the warm-up again. Default 2 × intervalMs. */
  readonly idleMs?: number;
}

/**
 * Warm-up lasts at least `minMs`, then until the last interval brought at most 1 % of the
 * returning players seen since the start and no rebuilt match (and at most `maxMs`). A
 * restart's arrivals come in a burst that takes about one interval on a quiet machine and
 * several on a loaded one, with a tail of late clients. Arrivals: a player queued for the
 * first time since the start whose search began before it, or the players put in a match
 * rebuilt from a member's re-announcement: a match formed before that member's
 * re-announcement arrives would put the others in a second match, so any rebuild restarts
 * the count. New searches never extend it.
 *
 * @example
 * const warmup = new Warmup({ minMs: 7_000, intervalMs: 5_000 });
 * warmup.start(now); ... warmup.arrived(now); ... if (!warmup.isWarmingUp(now)) formMatches();
 */
export interface WarmupStatus {
  readonly warmingUp: boolean;
  /** Since the (re)start. */
  readonly elapsedMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Returning players (searches begun before the start, and members of rebuilt matches) so far. */
  readonly back: number;
  /** Of them, arrived within the last resubmit interval. */
  readonly lastInterval: number;
  /** The warm-up ends once an interval brings at most this many (and no rebuilt match). */
  readonly endsBelow: number;
}

export class Warmup {
  readonly #minMs: number;
  readonly #intervalMs: number;
  readonly #maxMs: number;
  #startedAt = 0;
  // Arrival times since the start, in order; dropped once warm-up is over.
  #arrivals: number[] = [];
  #lastRebuildAt = -Infinity;
  #over = false;
  // Returning players since the start, kept after the warm-up (the arrivals are dropped then).
  #back = 0;
  readonly #idleMs: number;
  #lastHeardAt = -Infinity;

  constructor(options: WarmupOptions) {
    this.#minMs = options.minMs;
    this.#intervalMs = options.intervalMs;
    this.#maxMs = options.maxMs ?? 5 * options.minMs;
    this.#idleMs = options.idleMs ?? 2 * options.intervalMs;
  }

  start(now: number): void {
    this.#startedAt = now;
    this.#lastHeardAt = now;
    this.#arrivals = [];
    this.#lastRebuildAt = -Infinity;
    this.#over = false;
    this.#back = 0;
  }

  /**
   * A verified client request. After `idleMs` without one this instance may be taking a shard
   * over (a standby backup behind a proxy, idle since it started, gets its primary's players at
   * once): those players' matches come back only as their holders present them, so matching
   * waits for them as after a restart. Called before the request's own arrival is counted.
   */
  heard(now: number): void {
    if (now - this.#lastHeardAt > this.#idleMs) this.start(now);
    else if (now > this.#lastHeardAt) this.#lastHeardAt = now;
  }

  /**
   * No verified client request for `idleMs`: nobody is listening here now (the clients went to
   * another instance, e.g. a primary that took its shard back), so a match formed here would
   * reach no one, and with an allocator would take a game server for nothing.
   */
  isIdle(now: number): boolean {
    return now - this.#lastHeardAt > this.#idleMs;
  }

  /**
   * Players queued: counted only when their search began before this start (`queuedAt`): the
   * restart's burst. Searches begun since are new players, whose steady trickle must not keep
   * the warm-up going.
   */
  arrived(now: number, players = 1, queuedAt = -Infinity): void {
    if (this.#over || queuedAt >= this.#startedAt) return;
    this.#back += players;
    for (let i = 0; i < players; i++) this.#arrivals.push(now);
  }

  /** A match rebuilt from a re-announcement, with the players it took in. */
  rebuilt(now: number, players: number): void {
    if (this.#over) return;
    this.#lastRebuildAt = now;
    this.arrived(now, players);
  }

  isWarmingUp(now: number): boolean {
    if (this.#over) return false;
    const elapsed = now - this.#startedAt;
    if (elapsed < this.#minMs) return true;
    const total = this.#arrivals.length;
    const settling = this.#recent(now) > Math.max(2, 0.01 * total) || now - this.#lastRebuildAt < this.#intervalMs;
    if (elapsed < this.#maxMs && settling) return true;
    this.#over = true;
    this.#arrivals = [];
    return false;
  }

  /** Where the warm-up stands, for people watching a rebuild (the dashboard). */
  status(now: number): WarmupStatus {
    const warmingUp = this.isWarmingUp(now);
    const total = this.#arrivals.length;
    return {
      warmingUp,
      elapsedMs: Math.max(0, now - this.#startedAt),
      minMs: this.#minMs,
      maxMs: this.#maxMs,
      back: this.#back,
      lastInterval: warmingUp ? this.#recent(now) : 0,
      endsBelow: Math.floor(Math.max(2, 0.01 * total)),
    };
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
