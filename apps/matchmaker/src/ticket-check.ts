// Ticket → queue facts: a digest lookup for a queued ticket, a full verify otherwise.
import { hash } from 'node:crypto';
import { Problem } from '@ticketbooth/http';
import { TicketError, createVerifier, type KeyRing, type Verified } from '@ticketbooth/tickets';
import { poolKeyOf, type SharedConfig } from '@ticketbooth/config';
import type { Queue, QueueEntry, TicketFacts } from './pool.ts';

export interface TicketKeys {
  readonly ring: KeyRing;
  refetchForUnknownKid(): Promise<boolean>;
}

export interface TicketCheckOptions {
  readonly shared: SharedConfig;
  readonly keys: TicketKeys;
  readonly queue: Queue;
  /** Pool keys this instance serves, mapped to themselves: facts share these strings. */
  readonly pools: ReadonlyMap<string, string>;
  readonly cacheSize: number;
  readonly now: () => number;
  /** New tickets verified on the thread pool at once; default 64. */
  readonly maxOffThread?: number;
  /**
   * Share of the event loop that verifying new tickets may take once the thread pool is full,
   * per 100 ms window; default 0.25. Past it a new ticket gets 503 busy, so a flood of new (or
   * forged) tickets from many addresses cannot take the loop from queued players' answers.
   */
  readonly maxLoopShare?: number;
  /** A monotonic clock in ms for what verifying costs; default performance.now. */
  readonly cpuNow?: () => number;
}

const LOOP_WINDOW_MS = 100;
const BUSY = new Problem(503, 'busy', 'Matchmaker busy', 'too many new tickets to check right now; queued tickets are still served', {
  'retry-after': '1',
});

export interface CheckedTicket {
  readonly facts: TicketFacts;
  /** Set when the exact token is already queued: the hot path. */
  readonly entry: QueueEntry | undefined;
}

/**
 * The queue itself is the main cache: a queued entry is found by a SHA-256
 * digest of the token, which costs far less memory per player than caching
 * the token string and its claims. Tickets not queued (matched, refused,
 * superseded) fall through to the verifier and its bounded cache.
 */
export function createTicketCheck(options: TicketCheckOptions) {
  const { shared, keys, queue, pools, now } = options;
  const verifier = createVerifier({
    keys: keys.ring,
    purpose: 'ticket',
    issuer: shared.issuer,
    audience: shared.audiences.ticket,
    maxLifetimeMs: shared.ticketTtlMs,
    cacheSize: options.cacheSize,
    now,
  });
  // Answers without a verify of their own: a queued ticket, or one joining a check in flight.
  let ownHits = 0;
  const maxOffThread = options.maxOffThread ?? 64;
  let offThread = 0;
  const loopBudgetMs = LOOP_WINDOW_MS * (options.maxLoopShare ?? 0.25);
  const cpuNow = options.cpuNow ?? (() => performance.now());
  let windowStart = -Infinity;
  let loopSpentMs = 0;
  // Checks on the thread pool, by ticket digest: a ticket sent again before its check ends
  // waits for that one, so a POST and a DELETE of one new ticket apply in the order they came.
  const inFlight = new Map<string, Promise<CheckedTicket>>();
  // A new ticket is looked up twice in a row (refreshQueued, then submit): hash it once.
  let lastToken = '';
  let lastId = '';

  async function verifyAfterRefetch(token: string, ticketId: string, error: TicketError): Promise<CheckedTicket> {
    if (!(await keys.refetchForUnknownKid())) throw error;
    return { facts: factsOf(verifier.verify(token), ticketId), entry: undefined };
  }

  function joinable(ticketId: string, checked: Promise<CheckedTicket>): Promise<CheckedTicket> {
    inFlight.set(ticketId, checked);
    const done = () => inFlight.delete(ticketId);
    checked.then(done, done);
    return checked;
  }

  return {
    /** Synchronous for a queued or cached ticket; a new one is verified on the thread pool. */
    check(token: string): CheckedTicket | Promise<CheckedTicket> {
      const ticketId = digest(token);
      const entry = queuedBy(ticketId, now());
      if (entry !== undefined) {
        ownHits++;
        return { facts: entry, entry };
      }
      const pending = inFlight.get(ticketId);
      if (pending !== undefined) {
        ownHits++;
        return pending;
      }
      let verified: Verified<'ticket'> | Promise<Verified<'ticket'>>;
      try {
        // Off the event loop: a restart's rebuild is one full verify per player, and
        // resubmissions of queued players must not wait behind them.
        if (offThread < maxOffThread) {
          verified = verifier.verifyOffThread(token);
          if (verified instanceof Promise) {
            offThread++;
            verified = verified.finally(() => offThread--);
          }
        } else {
          // The pool's queue is full: verify here, which slows reading new requests as a
          // flood of new (or forged) tickets should, instead of queueing them without bound,
          // but only up to a share of the loop: the rest wait (503) instead of queued players.
          const started = cpuNow();
          if (started - windowStart >= LOOP_WINDOW_MS) {
            windowStart = started;
            loopSpentMs = 0;
          }
          if (loopSpentMs >= loopBudgetMs) throw BUSY;
          try {
            verified = verifier.verify(token);
          } finally {
            loopSpentMs += cpuNow() - started;
          }
        }
      } catch (error) {
        // A kid we do not know may be the issuer's next key: look once, then retry once.
        if (error instanceof TicketError && error.code === 'unknown_key') return joinable(ticketId, verifyAfterRefetch(token, ticketId, error));
        throw error;
      }
      if (verified instanceof Promise) return joinable(ticketId, verified.then((v) => ({ facts: factsOf(v, ticketId), entry: undefined })));
      return { facts: factsOf(verified, ticketId), entry: undefined };
    },
    /**
     * The live entry this exact token queued when `accept` takes it (counted as a hit),
     * or undefined (then only `check` can tell more).
     */
    queued(token: string, at: number, accept: (entry: QueueEntry) => boolean): QueueEntry | undefined {
      const entry = queuedBy(digest(token), at);
      if (entry === undefined || !accept(entry)) return undefined;
      ownHits++;
      return entry;
    },
    stats() {
      const { hits, misses } = verifier.stats();
      return { hits: hits + ownHits, misses };
    },
  };

  function digest(token: string): string {
    if (token !== lastToken) {
      lastId = ticketIdOf(token);
      lastToken = token;
    }
    return lastId;
  }

  function queuedBy(ticketId: string, at: number): QueueEntry | undefined {
    const queued = queue.findByTicket(ticketId);
    if (queued === undefined) return undefined;
    if (at >= queued.expiresAt || !keys.ring.isUsable(queued.kid, at)) return undefined;
    return queued;
  }

  function factsOf({ claims, kid, issuedAt, expiresAt }: Verified<'ticket'>, ticketId: string): TicketFacts {
    const key = poolKeyOf(shared, claims.pool);
    return {
      sub: claims.sub,
      pool: pools.get(key) ?? key,
      rating: claims.rating,
      ...(claims.uncertainty === undefined ? {} : { uncertainty: claims.uncertainty }),
      queuedAt: Date.parse(claims.queuedAt),
      party: claims.party,
      latencies: claims.latencies,
      attributes: claims.attributes,
      issuedAt,
      expiresAt,
      ticketId,
      // The ring's own string, so a million entries share one kid.
      kid: keys.ring.get(kid)?.kid ?? kid,
    };
  }
}

export type TicketCheck = ReturnType<typeof createTicketCheck>;

/** SHA-256 of the exact token, base64url: the one-shot hash is the cheapest way to a safe key. */
export function ticketIdOf(token: string): string {
  return hash('sha256', token, 'base64url');
}
