// What the issuer keeps: users, ratings per mode, revocations, parties. Two implementations
// (SQLite, PostgreSQL) honour this one contract, checked by store-contract.ts.
import type { PartyStore } from './party-store.ts';
import type { ResultStore } from './result-store.ts';

export interface User {
  readonly id: string;
  /** Normalised (NFKC, lower-case); unique regardless of case. */
  readonly username: string;
  /** argon2id PHC string. */
  readonly passwordHash: string;
  /** Sessions carrying an older epoch are refused. */
  readonly sessionEpoch: number;
  readonly banned: boolean;
  readonly banReason: string | null;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
}

export interface UserWithRating {
  readonly user: User;
  readonly rating: number | undefined;
  /** How unsure the rating is, once a result moved it (absent for none, or one an admin set). */
  readonly sigma?: number;
}

/** A user row's rating columns as the store answers them: NULLs are absent. */
export const withRating = (user: User, rating: number | null, sigma: number | null): UserWithRating => ({
  user,
  rating: rating ?? undefined,
  ...(sigma === null ? {} : { sigma }),
});

export interface NewUser {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly createdAt: number;
}

export interface Revocation {
  readonly sub: string;
  /** Tokens for `sub` issued before this time (ms) are no longer honoured. */
  readonly notBefore: number;
  readonly reason: string;
}

export interface UserStore extends PartyStore, ResultStore {
  /** Inserts a user, or throws `UsernameTakenError` when the name (any case) exists. */
  createUser(user: NewUser): Promise<User>;
  findUserById(id: string): Promise<User | undefined>;
  /**
   * The user and their rating in `mode` (undefined when they never had one) in one read: a
   * ticket request's only store read. Undefined for an unknown user.
   */
  findUserWithRating(id: string, mode: string): Promise<UserWithRating | undefined>;
  findUserByUsername(username: string): Promise<User | undefined>;
  /** Replaces the hash and bumps the epoch; returns the new epoch, or undefined for an unknown user. */
  changePassword(id: string, passwordHash: string): Promise<number | undefined>;
  /** Bumps the session epoch; returns the new epoch, or undefined for an unknown user. */
  bumpSessionEpoch(id: string): Promise<number | undefined>;
  /**
   * Bans in one transaction: banned flag and reason, epoch bumped, and a
   * revocation `{sub: id, notBefore: at}` written. Undefined for an unknown user.
   */
  banUser(id: string, reason: string, at: number): Promise<User | undefined>;
  /** Clears the ban; sessions stay revoked (the epoch does not move back). */
  unbanUser(id: string): Promise<User | undefined>;
  /** The stored rating, or undefined when the player never had one in this mode. */
  getRating(userId: string, mode: string): Promise<number | undefined>;
  /** Returns false for an unknown user. */
  setRating(userId: string, mode: string, rating: number, at: number): Promise<boolean>;
  /** Revocations with `notBefore >= since`, oldest first, at most `limit`. */
  listRevocations(since: number, limit: number): Promise<Revocation[]>;
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The one storage refusal callers branch on. */
export class UsernameTakenError extends Error {
  override readonly name = 'UsernameTakenError';
  constructor(readonly username: string) {
    super(`username ${JSON.stringify(username)} is taken`);
  }
}
