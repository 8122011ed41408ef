// The shapes the services answer with, as the client sees them.

export interface Account {
  readonly id: string;
  readonly username: string;
}

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
}

export interface Pool {
  readonly mode: string;
  readonly region: string;
}

export interface TicketRequest extends Pool {
  /** Measured round-trip milliseconds per region. */
  readonly latencies?: Readonly<Record<string, number>>;
}

export interface TicketGrant {
  readonly ticket: string;
  readonly matchmakerUrl: string;
  readonly resubmitAfterMs: number;
  readonly expiresAt: string;
}

export interface MatchedPlayer {
  readonly sub: string;
  readonly rating: number;
}

export interface Match {
  readonly id: string;
  readonly pool: Pool;
  readonly teams: ReadonlyArray<ReadonlyArray<MatchedPlayer>>;
  /** Signed `match` token a game server verifies with the matchmaker's published keys. */
  readonly token: string;
}

export type QueueAnswer =
  | {
      readonly status: 'searching';
      readonly pool: Pool;
      readonly queuedForMs: number;
      readonly playersInPool: number;
      readonly resubmitAfterMs: number;
    }
  | { readonly status: 'ready'; readonly match: Match }
  /** The search reached its mode's longest wait: over, and a new one needs a new ticket. */
  | { readonly status: 'timed_out'; readonly pool: Pool; readonly queuedForMs: number };

/**
 * What `queue()` reports while it works, e.g. to show "searching 0:42". `status` is the
 * matchmaker's word where it has one (searching, ready, timed_out); refreshing and retrying
 * are the client's own.
 */
export type QueueStatus =
  | { readonly status: 'searching'; readonly queuedForMs: number; readonly playersInPool: number }
  | { readonly status: 'refreshing' }
  | { readonly status: 'retrying'; readonly attempt: number; readonly delayMs: number; readonly error: Error }
  | { readonly status: 'ready'; readonly match: Match }
  | { readonly status: 'timed_out'; readonly queuedForMs: number };
