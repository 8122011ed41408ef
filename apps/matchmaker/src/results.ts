// Formed matches kept per player for a while, so the next resubmission can return them.
import type { Member, Pool } from '@ticketbooth/tickets';

/** What a matched player is told: the match and its signed token. */
export interface Match {
  readonly id: string;
  readonly pool: Pool;
  readonly teams: readonly (readonly Member[])[];
  /** A `match` token signed by this matchmaker; game servers verify it alone. */
  readonly token: string;
}

export interface MatchResult {
  readonly match: Match;
  /** The `queuedAt` of the search this match answers; a later search is a new one. */
  readonly queuedAt: number;
  readonly expiresAt: number;
}

/**
 * Match results by player. Results are added in time order with one TTL, so a
 * FIFO gives expiry work proportional to what expires.
 */
export class Results {
  readonly #bySub = new Map<string, MatchResult>();
  readonly #order: { sub: string; result: MatchResult }[] = [];
  #head = 0;

  constructor(readonly ttlMs: number) {
    if (!(ttlMs > 0)) throw new TypeError('result ttlMs must be positive');
  }

  set(sub: string, result: MatchResult): void {
    this.#bySub.set(sub, result);
    this.#order.push({ sub, result });
  }

  /** Stops answering `sub` with this result (a cancelled match that put them back in the pool). */
  forget(sub: string, matchId: string): void {
    if (this.#bySub.get(sub)?.match.id === matchId) this.#bySub.delete(sub);
  }

  /** The match answering a search that started at `queuedAt` or before, if still kept. */
  find(sub: string, queuedAt: number, now: number): MatchResult | undefined {
    const result = this.#bySub.get(sub);
    if (result === undefined || now >= result.expiresAt || queuedAt > result.queuedAt) return undefined;
    return result;
  }

  /** The player's latest match, whatever search it answers, if still kept. */
  latest(sub: string, now: number): MatchResult | undefined {
    const result = this.#bySub.get(sub);
    return result === undefined || now >= result.expiresAt ? undefined : result;
  }

  get size(): number {
    return this.#bySub.size;
  }

  expire(now: number): number {
    let dropped = 0;
    while (this.#head < this.#order.length && this.#order[this.#head]!.result.expiresAt <= now) {
      const { sub, result } = this.#order[this.#head++]!;
      if (this.#bySub.get(sub) === result) {
        this.#bySub.delete(sub);
        dropped++;
      }
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order.splice(0, this.#head);
      this.#head = 0;
    }
    return dropped;
  }
}
