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
];

/** The migrations still to apply on a database at `current`; refuses a database newer than this code. */
export function pendingMigrations(current: number, all: readonly Migration[] = MIGRATIONS): Migration[] {
  const latest = all.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`database schema is at version ${current}, newer than this issuer knows (${latest}); refusing to start`);
  }
  return all.filter((m) => m.version > current);
}
