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

/** The pool a search is in: a mode with a latency rule is one pool, without a region (its matches each get one). */
export interface SearchPool {
  readonly mode: string;
  readonly region?: string;
}

export interface TicketRequest extends Pool {
  /** Measured round-trip milliseconds per region (required by a mode with a latency rule; `region` is then the home region). */
  readonly latencies?: Readonly<Record<string, number>>;
  /**
   * Attributes for the issuer to vouch for (GET /v1/modes lists them with their allowed values):
   * one value each, or a list for a set attribute, e.g. `{ build: '1.5', crossplay: ['pc', 'any'] }`.
   */
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * Queue as this party (its id): every member asking gets the same party ticket, so any
   * member's client keeps the whole party queued and every member hears the match.
   */
  readonly party?: string;
}

export interface PartyMember {
  readonly id: string;
  readonly username: string;
}

export interface Party {
  readonly id: string;
  readonly mode: string;
  /** The leader's user id: the holder (`sub`) of the party's tickets. */
  readonly leader: string;
  /** Moves on every join, leave or kick. */
  readonly version: number;
  readonly maxSize: number;
  /** In join order, the leader first. */
  readonly members: readonly PartyMember[];
}

/** A signed, short-lived invite the leader shares with a friend, who joins with it. */
export interface PartyInvite {
  readonly token: string;
  readonly expiresAt: string;
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
  /** What `queue()` resolves with carries it once the match is settled with one (an accept step, a game server). */
  readonly assignment?: Assignment;
}

/** The signed proof that a match is settled, and the game server when one was allocated. */
export interface Assignment {
  /** An `assignment` token signed by the matchmaker: present it with the match after a restart. */
  readonly token: string;
  /** `host:port` of the game server the allocator gave this match. */
  readonly connect?: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

export type CancelReason = 'declined' | 'accept_timeout' | 'allocation_failed';

/** What the matchmaker tells a member about their match: the phase of its life after forming. */
export type MatchView =
  /** Accept (or decline) before `acceptBy` (ISO time). */
  | { readonly status: 'proposed'; readonly match: Match; readonly acceptBy: string; readonly accepted: boolean }
  /** `allocating`: a game server is being allocated, `assigned` or `cancelled` follows. Otherwise settled. */
  | { readonly status: 'ready'; readonly match: Match; readonly allocating: boolean; readonly assignment?: Assignment }
  | { readonly status: 'assigned'; readonly match: Match; readonly assignment: Assignment & { readonly connect: string } }
  /** `requeued`: this player did nothing wrong and is back in the pool with the wait kept; otherwise the search is over. */
  | { readonly status: 'cancelled'; readonly match: Match; readonly reason: CancelReason; readonly requeued: boolean };

/** What a member presents with the match it holds, so that a restarted matchmaker rebuilds its phase. */
export interface Holding {
  /** This player accepted the match. */
  readonly accepted?: boolean;
  /** The `assignment` token, once the match is settled with one. */
  readonly assignment?: string;
}

/** The answer to a presented match: its phase, and whether every member has heard it settled. */
export type PresentedMatch = MatchView & { readonly delivered: boolean };

export type QueueAnswer =
  | {
      readonly status: 'searching';
      readonly pool: SearchPool;
      readonly queuedForMs: number;
      readonly playersInPool: number;
      /** The pool's median time-to-match over the last five minutes; null before any match there lately. */
      readonly estimatedWaitMs: number | null;
      readonly resubmitAfterMs: number;
    }
  | MatchView
  /** The search reached its mode's longest wait: over, and a new one needs a new ticket. */
  | { readonly status: 'timed_out'; readonly pool: SearchPool; readonly queuedForMs: number };

/**
 * What `queue()` reports while it works, e.g. to show "searching 0:42". `status` is the
 * matchmaker's word where it has one (searching, proposed, ready, assigned, cancelled,
 * timed_out); refreshing, retrying, accepted and allocating are the client's own.
 */
export type QueueStatus =
  | { readonly status: 'searching'; readonly queuedForMs: number; readonly playersInPool: number; readonly estimatedWaitMs: number | null }
  | { readonly status: 'refreshing' }
  | { readonly status: 'retrying'; readonly attempt: number; readonly delayMs: number; readonly error: Error }
  /** A match was proposed: `confirm` is asked now. */
  | { readonly status: 'proposed'; readonly match: Match; readonly acceptBy: string }
  /** The matchmaker has this player's acceptance; the other members may still be deciding. */
  | { readonly status: 'accepted'; readonly match: Match }
  /** Every member accepted; a game server is being allocated. */
  | { readonly status: 'allocating'; readonly match: Match }
  /** Settled without a game server (no allocator): `match.assignment` is there when the mode had an accept step. */
  | { readonly status: 'ready'; readonly match: Match }
  /** Settled with a game server: connect to `assignment.connect`. */
  | { readonly status: 'assigned'; readonly match: Match; readonly assignment: Assignment }
  /** The match fell through; `requeued`: the search goes on with its wait kept. */
  | { readonly status: 'cancelled'; readonly match: Match; readonly reason: CancelReason; readonly requeued: boolean }
  | { readonly status: 'timed_out'; readonly queuedForMs: number };

/** GET /v1/queue/explain: why a search has no match yet (figures from the matchmaker's own rules). */
export interface Explanation {
  readonly pool: SearchPool;
  readonly queuedForMs: number;
  readonly group: { readonly players: number; readonly rating: number };
  readonly ratingWindow: { readonly halfWidth: number; readonly low: number; readonly high: number; readonly max: number; readonly widenPerSecond: number; readonly widestInMs: number };
  readonly size: { readonly teams: number; readonly teamSize: number; readonly minTeamSize: number; readonly smallerTeamsInMs: number | null; readonly playersNeeded: number };
  readonly latency: {
    readonly boundMs: number;
    readonly widenToMs: number;
    readonly widestInMs: number;
    readonly regions: readonly { readonly region: string; readonly latencyMs: number; readonly eligibleInMs: number | null }[];
  } | null;
  readonly compatibleNow: { readonly groups: number; readonly players: number };
  readonly attributeMismatches: number;
  readonly nearestIncompatible: { readonly ratingGap: number; readonly blockedBy: 'rating' | 'latency'; readonly reachableInMs: number | null } | null;
  readonly scanned: number;
  readonly estimatedWaitMs: number | null;
}
