/** Stable reasons a token is refused. Callers branch on `code`, never on `message`. */
export const TICKET_ERROR_CODES = [
  'malformed',
  'too_large',
  'unknown_key',
  'key_inactive',
  'bad_signature',
  'wrong_purpose',
  'expired',
  'not_yet_valid',
  'lifetime_exceeded',
  'wrong_audience',
  'wrong_issuer',
  'invalid_claims',
] as const;

export type TicketErrorCode = (typeof TICKET_ERROR_CODES)[number];

/**
 * The one error this package throws for a token it refuses. Caller mistakes
 * (a missing key, a bad option) are plain `TypeError`s instead.
 *
 * @example
 * try { verifier.verify(token) } catch (e) { if (e instanceof TicketError && e.code === 'expired') ... }
 */
export class TicketError extends Error {
  override readonly name = 'TicketError';
  constructor(
    readonly code: TicketErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isTicketError(error: unknown): error is TicketError {
  return error instanceof TicketError;
}
