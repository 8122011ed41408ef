// One error type for callers: a problem answered by a service, or a transport failure.

/** Codes the client itself produces; every other code is the server's problem `code`. */
export type TransportCode = 'network' | 'timeout' | 'bad-response';

/**
 * A refusal or failure. `status` is the HTTP status, or 0 when no answer came.
 *
 * @example
 * catch (e) { if (e instanceof TicketboothError && e.code === 'invalid-credentials') showLoginError() }
 */
export class TicketboothError extends Error {
  override readonly name = 'TicketboothError';
  constructor(
    readonly status: number,
    readonly code: TransportCode | (string & {}),
    message: string,
    /** From a `Retry-After` header, when the server sent one. */
    readonly retryAfterMs?: number,
    /** Why, when the code has several causes: a `match-cancelled` match's cancel reason. */
    readonly reason?: string,
  ) {
    super(message);
  }

  /** Worth trying again later: no answer, a server error, overload or rate limit. */
  get isRetryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}
