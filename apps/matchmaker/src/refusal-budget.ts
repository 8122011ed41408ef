// How many refused tickets a client address and a connection may send: a forged-ticket flood
// must cost the flooder, not the honest players whose queued tickets share the event loop.

export interface RefusalBudgetOptions {
  /** Refused tickets an address may send in a burst. */
  readonly burst: number;
  /** ... and per second after it. */
  readonly perSecond: number;
  /** Refused or throttled tickets after which a connection is closed (that answer says `Connection: close`). */
  readonly perConnection: number;
  /** How long a throttled answer (429) is held before it is sent. Default 1,000 ms. */
  readonly holdMs?: number;
  /** Addresses tracked at most; the least recently refused is forgotten first. Default 100,000. */
  readonly maxAddresses?: number;
}

/** An address may send 50 refused tickets at once and 5 a second after; a connection 10; a 429 waits up to 1 s. */
export const DEFAULT_REFUSALS: RefusalBudgetOptions = { burst: 50, perSecond: 5, perConnection: 10, holdMs: 1_000 };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per client address (IPv6 by /64, which one host can fill) and a count per
 * connection. Only refusals spend: a queued ticket's resubmission never reaches this, and a
 * client whose tickets verify never runs out.
 *
 * @example
 * const budget = new RefusalBudget({ burst: 50, perSecond: 5, perConnection: 10 });
 * const wait = budget.waitMs(address, now);
 * if (wait > 0) return after(budget.holdMs, tooManyInvalid);   // before any signature work
 * ... verify fails ... if (budget.spend(address, socket, now)) closeAfterThisAnswer();
 */
export class RefusalBudget {
  readonly #buckets = new Map<string, Bucket>();
  readonly #byConnection = new WeakMap<object, number>();
  readonly #options: Required<RefusalBudgetOptions>;
  #sweptAt = -Infinity;

  constructor(options: RefusalBudgetOptions) {
    if (!(options.burst >= 1) || !(options.perSecond > 0) || !(options.perConnection >= 1) || !((options.holdMs ?? 0) >= 0)) {
      throw new TypeError('burst >= 1, perSecond > 0, perConnection >= 1 and holdMs >= 0 required');
    }
    this.#options = { maxAddresses: 100_000, holdMs: 1_000, ...options };
  }

  /**
   * How long the answer that tells a client to wait is held. A client that sends on while told
   * to wait gets one answer per connection per hold: a flooder's rate falls to its connection
   * count per second, and its requests stop competing with queued players' for the event loop.
   */
  get holdMs(): number {
    return this.#options.holdMs;
  }

  /** 0 when the address may have one more ticket checked now, else how long until it may. */
  waitMs(address: string, now: number): number {
    const bucket = this.#buckets.get(addressKey(address));
    if (bucket === undefined) return 0;
    const tokens = this.#refilled(bucket, now);
    // The epsilon keeps float dust (0.998 tokens after 499 ms at 2/s) from adding a millisecond.
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / this.#options.perSecond - 1e-6);
  }

  /** Counts one refused ticket; true when its connection has used up its share and should close. */
  spend(address: string, connection: object | undefined, now: number): boolean {
    // Only refusals add addresses, so sweeping here (at most once a second) bounds them by time too.
    if (now - this.#sweptAt >= 1_000) {
      this.#sweptAt = now;
      this.prune(now);
    }
    const key = addressKey(address);
    const bucket = this.#buckets.get(key) ?? { tokens: this.#options.burst, at: now };
    bucket.tokens = this.#refilled(bucket, now) - 1;
    bucket.at = now;
    // Re-inserted at the young end, so the eviction below drops the address refused longest ago.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#options.maxAddresses) this.#buckets.delete(this.#buckets.keys().next().value as string);
    return this.countOnConnection(connection);
  }

  /**
   * Counts a refusal against the connection only (a ticket turned away unchecked because its
   * address must wait); true when the connection has used up its share and should close.
   */
  countOnConnection(connection: object | undefined): boolean {
    if (connection === undefined) return false;
    const count = (this.#byConnection.get(connection) ?? 0) + 1;
    this.#byConnection.set(connection, count);
    return count >= this.#options.perConnection;
  }

  /** Forgets addresses whose bucket is full again: they are as if never seen. `spend` calls it once a second. */
  prune(now: number): void {
    for (const [key, bucket] of this.#buckets) if (this.#refilled(bucket, now) >= this.#options.burst) this.#buckets.delete(key);
  }

  get addresses(): number {
    return this.#buckets.size;
  }

  #refilled(bucket: Bucket, now: number): number {
    return Math.min(this.#options.burst, bucket.tokens + (Math.max(0, now - bucket.at) * this.#options.perSecond) / 1000);
  }
}

/** The key an address is budgeted under: IPv4 as is, IPv6 by its /64. */
export function addressKey(address: string): string {
  if (!address.includes(':') || address.startsWith('::ffff:')) return address;
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) {
    const rest = tail === '' ? [] : tail.split(':');
    while (groups.length + rest.length < 8) groups.push('0');
    groups.push(...rest);
  }
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
