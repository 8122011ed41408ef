// What the issuer keeps about game results: the game servers allowed to report them, each
// match's result once, and the skill (mu, sigma) it moves. Part of every UserStore.
import type { Skill } from '../skill.ts';

export interface GameServer {
  readonly id: string;
  /** Unique, chosen by the operator (a host name, a fleet and index). */
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** Set once revoked: its reports are refused from then on. */
  readonly revokedAt: number | null;
}

export interface NewGameServer {
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the credential, hex: the credential itself is never stored. */
  readonly secretDigest: string;
  readonly at: number;
}

export interface MatchResult {
  readonly matchId: string;
  readonly gameServerId: string;
  readonly mode: string;
  /** SHA-256 of the outcome as reported, hex: a replay carries the same, a conflicting report not. */
  readonly digest: string;
  /** The outcome as reported (JSON). */
  readonly outcome: string;
  readonly reportedAt: number;
}

export interface RecordedResult {
  /** False when a result for this match was there already (nothing changed): `result` is that one. */
  readonly recorded: boolean;
  readonly result: MatchResult;
}

export interface ResultStore {
  /** Registers a game server; `NameTakenError` when the name is in use (revoked ones included). */
  addGameServer(server: NewGameServer): Promise<GameServer>;
  /** The game server holding this credential (by its digest), revoked or not. */
  gameServerBySecret(secretDigest: string): Promise<GameServer | undefined>;
  listGameServers(): Promise<GameServer[]>;
  /** Revokes by id or name; undefined when there is none. Revoking twice keeps the first time. */
  revokeGameServer(idOrName: string, at: number): Promise<GameServer | undefined>;
  /**
   * The skills of `userIds` in `mode`, in order: `fresh` for a player with no rating stored,
   * and `fresh.sigma` with a rating no result has moved yet (one set by an admin).
   */
  skillsOf(userIds: readonly string[], mode: string, fresh: Skill): Promise<Skill[]>;
  /**
   * Records a match's result once, and the skills it moves, in one transaction: when a result
   * for the match exists nothing changes and that one is answered. Otherwise the members'
   * skills are read (a missing one is `fresh`), locked against concurrent results,
   * `update` computes the new ones (same order), and both are written. The rating tickets
   * carry becomes the new mu.
   */
  recordResult(result: MatchResult, members: readonly string[], fresh: Skill, update: (skills: readonly Skill[]) => readonly Skill[]): Promise<RecordedResult>;
}

/** A match names a player this issuer does not know: nothing was recorded. */
export class UnknownPlayerError extends Error {
  override readonly name = 'UnknownPlayerError';
  constructor() {
    super('the match names a player this issuer does not know');
  }
}

/** A game server name that is in use. */
export class NameTakenError extends Error {
  override readonly name = 'NameTakenError';
  constructor(readonly serverName: string) {
    super(`game server name ${JSON.stringify(serverName)} is taken`);
  }
}
