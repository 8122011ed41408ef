// Which failures pass: the rules every loop of the client (queueing, presenting, answering) shares.
import { TicketboothError } from './errors.ts';

/** 401 codes after which a fresh ticket, not the caller, fixes things. */
export const REFRESHABLE = new Set(['expired', 'key-inactive', 'lifetime-exceeded']);
/** A matchmaker that has not fetched a new issuer key yet: wait, it refetches. */
export const WAIT_FOR_KEYS = new Set(['unknown-key']);

/** No answer, a server error, overload or rate limit. */
export function isRetryable(error: unknown): boolean {
  return error instanceof TicketboothError && error.isRetryable;
}

/** Worth asking the matchmaker again: retryable, or keys it has not fetched yet. */
export function isPassing(error: unknown): boolean {
  return isRetryable(error) || (error instanceof TicketboothError && WAIT_FOR_KEYS.has(error.code));
}

/** The ticket needs refreshing (a fresh one fixes it). */
export function needsFreshTicket(error: unknown): boolean {
  return error instanceof TicketboothError && error.status === 401 && REFRESHABLE.has(error.code);
}

/** A refusal that asking again will not change: a 4xx other than a passing one or a stale ticket. */
export function isRefusedForGood(error: unknown): boolean {
  return error instanceof TicketboothError && error.status >= 400 && error.status < 500 && !isPassing(error) && !needsFreshTicket(error);
}
