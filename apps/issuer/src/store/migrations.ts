// Versioned schema changes, applied in order at start. Append only: a shipped
// migration is never edited; a new version is added instead.

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users, ratings, revocations',
    sqlite: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL COLLATE NOCASE UNIQUE,
        password_hash TEXT NOT NULL,
        session_epoch INTEGER NOT NULL DEFAULT 0,
        banned INTEGER NOT NULL DEFAULT 0,
        ban_reason TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE ratings (
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        mode TEXT NOT NULL,
        rating REAL NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, mode)
      );
      CREATE TABLE revocations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sub TEXT NOT NULL,
        not_before INTEGER NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE INDEX revocations_not_before ON revocations (not_before);
    `,
    postgres: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        session_epoch INTEGER NOT NULL DEFAULT 0,
        banned BOOLEAN NOT NULL DEFAULT false,
        ban_reason TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
      CREATE TABLE ratings (
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        mode TEXT NOT NULL,
        rating DOUBLE PRECISION NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (user_id, mode)
      );
      CREATE TABLE revocations (
        id BIGSERIAL PRIMARY KEY,
        sub TEXT NOT NULL,
        not_before BIGINT NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE INDEX revocations_not_before ON revocations (not_before);
    `,
  },
  {
    version: 2,
    name: 'parties',
    // A player is in at most one party (UNIQUE user_id); members go with their party.
    // `id` orders members by joining, so the leader, who joins at creation, comes first.
    sqlite: `
      CREATE TABLE parties (
        id TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        leader_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        changed_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE party_members (
        id INTEGER PRIMARY KEY,
        party_id TEXT NOT NULL REFERENCES parties (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
        joined_at INTEGER NOT NULL
      );
      CREATE INDEX party_members_party ON party_members (party_id);
    `,
    postgres: `
      CREATE TABLE parties (
        id TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        leader_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        changed_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE party_members (
        id BIGSERIAL PRIMARY KEY,
        party_id TEXT NOT NULL REFERENCES parties (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        joined_at BIGINT NOT NULL,
        CONSTRAINT party_members_user UNIQUE (user_id)
      );
      CREATE INDEX party_members_party ON party_members (party_id);
    `,
  },
  {
    version: 3,
    name: 'login attempts',
    // Shared login limits (attempt-limits.ts), in rate-limiter-flexible's column layout: a key, the
    // attempts in its window, the window's end in epoch ms. On SQLite the limits stay in memory.
    sqlite: '-- login limits are in process memory on SQLite',
    postgres: `
      CREATE TABLE login_attempts (
        key TEXT PRIMARY KEY,
        points INTEGER NOT NULL DEFAULT 0,
        expire BIGINT
      );
      CREATE INDEX login_attempts_expire ON login_attempts (expire);
    `,
  },
  {
    version: 4,
    name: 'game servers, match results, skill uncertainty',
    // ratings.rating is the skill's mu; sigma is NULL until a result moved it (then a new player's is assumed).
    sqlite: `
      ALTER TABLE ratings ADD COLUMN sigma REAL;
      CREATE TABLE game_servers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        secret_digest TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE TABLE match_results (
        match_id TEXT PRIMARY KEY,
        game_server_id TEXT NOT NULL REFERENCES game_servers (id),
        mode TEXT NOT NULL,
        digest TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reported_at INTEGER NOT NULL
      );
    `,
    postgres: `
      ALTER TABLE ratings ADD COLUMN sigma DOUBLE PRECISION;
      CREATE TABLE game_servers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        secret_digest TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      );
      CREATE TABLE match_results (
        match_id TEXT PRIMARY KEY,
        game_server_id TEXT NOT NULL REFERENCES game_servers (id),
        mode TEXT NOT NULL,
        digest TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reported_at BIGINT NOT NULL
      );
    `,
  },
];

/** The migrations still to apply on a database at `current`; refuses a database newer than this code. */
export function pendingMigrations(current: number, all: readonly Migration[] = MIGRATIONS): Migration[] {
  const latest = all.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`database schema is at version ${current}, newer than this issuer knows (${latest}); refusing to start`);
  }
  return all.filter((m) => m.version > current);
}
