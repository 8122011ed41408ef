// What the issuer keeps about parties: who leads, who is in, and a version that moves on
// every membership change (party tickets are derived from it). Part of every UserStore.

export interface PartyMember {
  readonly userId: string;
  /** Milliseconds since the epoch. */
  readonly joinedAt: number;
}

export interface Party {
  readonly id: string;
  readonly mode: string;
  readonly leaderId: string;
  /** 1 at creation, +1 on every join and leave. */
  readonly version: number;
  /** When the membership last changed (creation included), ms. */
  readonly changedAt: number;
  readonly createdAt: number;
  /** In join order: the leader first. */
  readonly members: readonly PartyMember[];
}

export interface NewParty {
  readonly id: string;
  readonly mode: string;
  readonly leaderId: string;
  readonly at: number;
}

export type JoinOutcome = 'joined' | 'full' | 'not-found' | 'already-in-party';
/** `disbanded`: the leader left, and the party went with them. */
export type LeaveOutcome = 'left' | 'disbanded' | 'not-found' | 'not-a-member';

export interface PartyStore {
  /** Creates a party with its leader as the one member; `AlreadyInPartyError` when the leader is in one. */
  createParty(party: NewParty): Promise<Party>;
  getParty(id: string): Promise<Party | undefined>;
  /** The party `userId` is in (a player is in at most one). */
  partyOf(userId: string): Promise<Party | undefined>;
  /**
   * Adds a member, atomically: the size check and the insert are one transaction, so of
   * two joins racing for the last of `maxSize` places exactly one wins.
   */
  joinParty(partyId: string, userId: string, at: number, maxSize: number): Promise<JoinOutcome>;
  /** Removes a member (leave or kick); the leader leaving deletes the party and its members. */
  leaveParty(partyId: string, userId: string, at: number): Promise<LeaveOutcome>;
  /** Deletes the party and its members; false when there was none. */
  disbandParty(id: string): Promise<boolean>;
}

/** The leader of a new party is in another one already. */
export class AlreadyInPartyError extends Error {
  override readonly name = 'AlreadyInPartyError';
  constructor(readonly userId: string) {
    super(`user ${JSON.stringify(userId)} is in a party already`);
  }
}
