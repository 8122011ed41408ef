// Leaving the queue, for good: the search that left is refused (any ticket of it: the one that
// left, an older one, or one refreshed from it) until none of its tickets can still be valid, so
// a client that keeps resubmitting (a bug, or a second tab) cannot undo the leave.
import { Problem } from '@ticketbooth/http';
import { TicketError, createVerifier, type KeyRing } from '@ticketbooth/tickets';
import type { Queue } from './pool.ts';
import type { CheckedTicket } from './ticket-check.ts';

export interface LeavingOptions {
  /** The usual ticket check: an unexpired ticket leaves through it. */
  readonly check: (token: string) => CheckedTicket | Promise<CheckedTicket>;
  /** Verifies an expired ticket's signature and claims (its expiry aside): it may still leave. */
  readonly tickets: { readonly ring: KeyRing; readonly issuer: string; readonly audience: string; readonly ttlMs: number };
  readonly queue: Queue;
  /** Players remembered at most; the one who left longest ago is forgotten first. */
  readonly maxRemembered: number;
  readonly now: () => number;
  /** Told of each search that left (a member of a proposed match leaving declines it). */
  readonly onLeft?: (sub: string, queuedAt: number) => void;
}

export const LEFT = new Problem(409, 'left', 'Left the queue', 'this ticket left the queue; a new search needs a new ticket');

/**
 * @example
 * const leaving = createLeaving({ check: tickets.check, tickets, queue, maxRemembered, now });
 * await leaving.leave(token);     // DELETE /v1/queue; a second time: 409 left
 * if (leaving.hasLeft(facts))     // POST /v1/queue with a ticket of that search: 409 left
 */
export function createLeaving(options: LeavingOptions) {
  const { queue, now } = options;
  // Player -> the newest search they left (its signed queuedAt) and until when its tickets can
  // exist: a ticket refreshed from one that left (previousTicket, accepted up to a lifetime
  // after its exp) lives another lifetime. Oldest first.
  const left = new Map<string, { readonly queuedAt: number; readonly until: number }>();
  const ttlMs = options.tickets.ttlMs;

  function hasLeft(ticket: { readonly sub: string; readonly queuedAt: number }): boolean {
    const search = left.get(ticket.sub);
    return search !== undefined && ticket.queuedAt <= search.queuedAt;
  }
  const expired = createVerifier({
    keys: options.tickets.ring,
    purpose: 'ticket',
    issuer: options.tickets.issuer,
    audience: options.tickets.audience,
    maxLifetimeMs: options.tickets.ttlMs,
    acceptExpiredForMs: options.tickets.ttlMs,
    cacheSize: 0,
    now,
  });

  function remember(sub: string, queuedAt: number, expiresAt: number): void {
    if (hasLeft({ sub, queuedAt })) throw LEFT;
    // This search or an older one: a ticket of an earlier search does not end a newer one.
    const entry = queue.get(sub);
    if (entry !== undefined && entry.queuedAt <= queuedAt) queue.remove(sub);
    left.delete(sub);
    left.set(sub, { queuedAt, until: expiresAt + 2 * ttlMs });
    if (left.size > options.maxRemembered) left.delete(left.keys().next().value as string);
    options.onLeft?.(sub, queuedAt);
  }

  /** Takes the ticket's player out of the queue; throws 409 left for a ticket that already left. */
  function leave(token: string): void | Promise<void> {
    let checked: CheckedTicket | Promise<CheckedTicket>;
    try {
      checked = options.check(token);
    } catch (error) {
      return leaveExpired(token, error);
    }
    // At once when the check is: a POST right behind it (same read, pipelined or on another
    // socket) must find the player gone, not be undone by a removal one microtask later.
    if (!(checked instanceof Promise)) return remember(checked.facts.sub, checked.facts.queuedAt, checked.facts.expiresAt);
    return checked.then(
      ({ facts }) => remember(facts.sub, facts.queuedAt, facts.expiresAt),
      (error: unknown) => leaveExpired(token, error),
    );
  }

  /** An expired ticket still leaves: its signature and claims must hold, its expiry may not. */
  function leaveExpired(token: string, error: unknown): void {
    if (!(error instanceof TicketError && error.code === 'expired')) throw error;
    const { claims, expiresAt } = expired.verify(token);
    remember(claims.sub, Date.parse(claims.queuedAt), expiresAt);
  }

  return {
    leave,
    hasLeft,
    /**
     * Forgets searches none of whose tickets can still verify, oldest first: they come due in
     * about the order they left, so this stops at the first one still live instead of scanning
     * them all every tick.
     */
    prune(at: number): void {
      for (const [sub, { until }] of left) {
        if (until > at) return;
        left.delete(sub);
      }
    },
    get size(): number {
      return left.size;
    },
  };
}
