// Match tokens signed after the tick that formed them, a slice at a time.
import type { Member, Pool } from '@ticketbooth/tickets';
import type { Match } from './results.ts';

/** A formed match whose token is signed when first read or when the signing queue reaches it. */
export class SignedMatch implements Match {
  readonly id: string;
  readonly pool: Pool;
  readonly teams: readonly (readonly Member[])[];
  #sign: (() => string) | undefined;
  #token: string | undefined;
  #error: unknown;
  #waiters: (() => void)[] | undefined;

  constructor(fields: Omit<Match, 'token'>, sign: () => string) {
    this.id = fields.id;
    this.pool = fields.pool;
    this.teams = fields.teams;
    this.#sign = sign;
  }

  get token(): string {
    this.signNow();
    if (this.#token === undefined) throw this.#error;
    return this.#token;
  }

  /** Signs it unless done; a failure is kept for whoever reads the token. */
  signNow(): void {
    const sign = this.#sign;
    if (sign === undefined) return;
    this.#sign = undefined;
    try {
      this.#token = sign();
    } catch (error) {
      this.#error = error;
    }
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  whenSigned(): Promise<void> {
    if (this.#sign === undefined) return Promise.resolve();
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve));
  }

  toJSON(): Match {
    return { id: this.id, pool: this.pool, teams: this.teams, token: this.token };
  }
}

/**
 * Signs match tokens in slices of at most `sliceMs` between event-loop turns, oldest first.
 * The first tick after a restart's warm-up can form tens of thousands of matches, and
 * signing them all inside the tick stopped the event loop for seconds. Reading a token
 * before its turn signs it at once, so a matched player's submission never waits for the
 * queue; a push waits for its turn (`whenSigned`) instead of forcing it. The claims, clock
 * and key are fixed when the match is added, and Ed25519 is deterministic, so the token
 * is the one signing inside the tick would have given.
 *
 * @example
 * const match = signer.add({ id, pool, teams }, () => signToken(key, 'match', claims));
 * match.token // signed now if the queue has not reached it yet
 */
export class MatchSigner {
  readonly #queue: SignedMatch[] = [];
  readonly #sliceMs: number;
  readonly #clock: () => number;
  #head = 0;
  #scheduled = false;
  readonly #idle: (() => void)[] = [];

  constructor(options: { sliceMs?: number; clock?: () => number } = {}) {
    this.#sliceMs = options.sliceMs ?? 5;
    this.#clock = options.clock ?? (() => performance.now());
  }

  add(fields: Omit<Match, 'token'>, sign: () => string): SignedMatch {
    const match = new SignedMatch(fields, sign);
    this.#queue.push(match);
    this.#schedule();
    return match;
  }

  /** Resolves once the match's token is signed (at once for a match not from a signer). */
  whenSigned(match: Match): Promise<void> {
    return match instanceof SignedMatch ? match.whenSigned() : Promise.resolve();
  }

  /** Resolves when every token added so far is signed. */
  idle(): Promise<void> {
    if (this.#head === this.#queue.length) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Matches added that the queue has not passed yet (tokens read early included). */
  get backlog(): number {
    return this.#queue.length - this.#head;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate, not a microtask: sockets are read between two slices.
    setImmediate(this.#drain);
  }

  readonly #drain = (): void => {
    this.#scheduled = false;
    const until = this.#clock() + this.#sliceMs;
    while (this.#head < this.#queue.length) {
      this.#queue[this.#head++]!.signNow();
      if (this.#clock() >= until) break;
    }
    if (this.#head < this.#queue.length) return this.#schedule();
    this.#queue.length = 0;
    this.#head = 0;
    for (const resolve of this.#idle.splice(0)) resolve();
  };
}
