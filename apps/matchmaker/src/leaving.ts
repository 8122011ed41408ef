// Leaving the queue, for good: the ticket that left is refused until it expires, so a client
// that keeps resubmitting it (a bug, or a second tab) cannot undo the leave.
import { Problem } from '@ticketbooth/http';
import { TicketError, createVerifier, type KeyRing } from '@ticketbooth/tickets';
import type { Queue } from './pool.ts';
import { ticketIdOf, type CheckedTicket } from './ticket-check.ts';

export interface LeavingOptions {
  /** The usual ticket check: an unexpired ticket leaves through it. */
  readonly check: (token: string) => CheckedTicket | Promise<CheckedTicket>;
  /** Verifies an expired ticket's signature and claims (its expiry aside): it may still leave. */
  readonly tickets: { readonly ring: KeyRing; readonly issuer: string; readonly audience: string; readonly ttlMs: number };
  readonly queue: Queue;
  /** Tickets remembered at most; the oldest is forgotten first. */
  readonly maxRemembered: number;
  readonly now: () => number;
}

export const LEFT = new Problem(409, 'left', 'Left the queue', 'this ticket left the queue; a new search needs a new ticket');

/**
 * @example
 * const leaving = createLeaving({ check: tickets.check, tickets, queue, maxRemembered, now });
 * await leaving.leave(token);            // DELETE /v1/queue; a second time: 409 left
 * if (leaving.hasLeft(facts.ticketId))   // POST /v1/queue with that ticket: 409 left
 */
export function createLeaving(options: LeavingOptions) {
  const { queue, now } = options;
  // Ticket digest -> its expiry, oldest first.
  const left = new Map<string, number>();
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

  function remember(ticketId: string, expiresAt: number, sub: string, queuedAt: number): void {
    if (left.has(ticketId)) throw LEFT;
    // This search or an older one: a ticket of an earlier search does not end a newer one.
    const entry = queue.get(sub);
    if (entry !== undefined && entry.queuedAt <= queuedAt) queue.remove(sub);
    left.set(ticketId, expiresAt);
    if (left.size > options.maxRemembered) left.delete(left.keys().next().value as string);
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
    if (!(checked instanceof Promise)) return remember(checked.facts.ticketId, checked.facts.expiresAt, checked.facts.sub, checked.facts.queuedAt);
    return checked.then(
      ({ facts }) => remember(facts.ticketId, facts.expiresAt, facts.sub, facts.queuedAt),
      (error: unknown) => leaveExpired(token, error),
    );
  }

  /** An expired ticket still leaves: its signature and claims must hold, its expiry may not. */
  function leaveExpired(token: string, error: unknown): void {
    if (!(error instanceof TicketError && error.code === 'expired')) throw error;
    const { claims, expiresAt } = expired.verify(token);
    remember(ticketIdOf(token), expiresAt, claims.sub, Date.parse(claims.queuedAt));
  }

  return {
    leave,
    hasLeft: (ticketId: string) => left.has(ticketId),
    /**
     * Forgets tickets past their expiry (the verifier refuses them from then on anyway), oldest
     * first: tickets of one lifetime expire in about the order they left, so this stops at the
     * first one still valid instead of scanning them all every tick.
     */
    prune(at: number): void {
      for (const [ticketId, expiresAt] of left) {
        if (expiresAt > at) return;
        left.delete(ticketId);
      }
    },
    get size(): number {
      return left.size;
    },
  };
}
