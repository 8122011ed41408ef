// Match tokens signed after the tick that formed them, on libuv's thread pool.
import type { Member, Pool } from '@ticketbooth/tickets';
import type { Match } from './results.ts';

/** Two ways to one token: here and now (a reader cannot wait), or on the thread pool. */
export interface Signing {
  readonly now: () => string;
  readonly offThread: () => Promise<string>;
}

/** A formed match whose token is signed when first read or when the signer reaches it. */
export class SignedMatch implements Match {
  readonly id: string;
  readonly pool: Pool;
  readonly teams: readonly (readonly Member[])[];
  #signing: Signing | undefined;
  #token: string | undefined;
  #error: unknown;
  #waiters: (() => void)[] | undefined;

  constructor(fields: Omit<Match, 'token'>, signing: Signing) {
    this.id = fields.id;
    this.pool = fields.pool;
    this.teams = fields.teams;
    this.#signing = signing;
  }

  get token(): string {
    this.signNow();
    if (this.#token === undefined) throw this.#error;
    return this.#token;
  }

  get isSigned(): boolean {
    return this.#signing === undefined;
  }

  /** Signs it here unless done; a failure is kept for whoever reads the token. */
  signNow(): void {
    const signing = this.#signing;
    if (signing === undefined) return;
    try {
      this.#settle(signing.now());
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Signs it on the thread pool unless done (a failure there is kept as from `signNow`). */
  async signOffThread(): Promise<void> {
    const signing = this.#signing;
    if (signing === undefined) return;
    try {
      const token = await signing.offThread();
      // Read (and so signed here) meanwhile: the same bytes, Ed25519 being deterministic.
      if (this.#signing !== undefined) this.#settle(token);
    } catch (error) {
      if (this.#signing !== undefined) this.#fail(error);
    }
  }

  whenSigned(): Promise<void> {
    if (this.#signing === undefined) return Promise.resolve();
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve));
  }

  toJSON(): Match {
    return { id: this.id, pool: this.pool, teams: this.teams, token: this.token };
  }

  #settle(token: string): void {
    this.#token = token;
    this.#done();
  }

  #fail(error: unknown): void {
    this.#error = error;
    this.#done();
  }

  #done(): void {
    this.#signing = undefined;
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }
}

/**
 * Signs match tokens on libuv's thread pool, oldest first, a few at a time. The first tick
 * after a restart's warm-up can form tens of thousands of matches, and signing them on the
 * event loop held it for seconds (then, in slices, took a third of its time): the loop now
 * only serializes the claims. Reading a token before it is signed signs it at once, so a
 * matched player's submission never waits for the queue; a push waits for its turn
 * (`whenSigned`) instead of forcing it. The claims, clock and key are fixed when the match
 * is added, and Ed25519 is deterministic, so either way gives the same token.
 *
 * @example
 * const match = signer.add({ id, pool, teams }, { now: () => signToken(key, 'match', claims), offThread: () => signTokenOffThread(key, 'match', claims) });
 * match.token // signed now if the thread pool has not done it yet
 */
export class MatchSigner {
  readonly #queue: SignedMatch[] = [];
  readonly #inFlightMax: number;
  #head = 0;
  #inFlight = 0;
  readonly #idle: (() => void)[] = [];

  /** `inFlight`: signatures on the thread pool at once, leaving its other threads to ticket verifies. */
  constructor(options: { inFlight?: number } = {}) {
    this.#inFlightMax = options.inFlight ?? 2;
  }

  add(fields: Omit<Match, 'token'>, signing: Signing): SignedMatch {
    const match = new SignedMatch(fields, signing);
    this.#queue.push(match);
    this.#pump();
    return match;
  }

  /** Resolves once the match's token is signed (at once for a match not from a signer). */
  whenSigned(match: Match): Promise<void> {
    return match instanceof SignedMatch ? match.whenSigned() : Promise.resolve();
  }

  /** Resolves when every token added so far is signed. */
  idle(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Matches added whose signing has not finished (tokens read early included). */
  get backlog(): number {
    return this.#queue.length - this.#head + this.#inFlight;
  }

  #pump(): void {
    while (this.#inFlight < this.#inFlightMax && this.#head < this.#queue.length) {
      const match = this.#queue[this.#head++]!;
      if (match.isSigned) continue;
      this.#inFlight++;
      void match.signOffThread().then(this.#signed);
    }
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
      if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  readonly #signed = (): void => {
    this.#inFlight--;
    this.#pump();
  };
}
