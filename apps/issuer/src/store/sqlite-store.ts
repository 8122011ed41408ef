// The embedded default store: one SQLite file in WAL mode, created on first start.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pendingMigrations } from './migrations.ts';
import { sqlitePartyStore } from './sqlite-parties.ts';
import { sqliteResultStore } from './sqlite-results.ts';
import { readBatch } from './read-batch.ts';
import { UsernameTakenError, type NewUser, type Revocation, type User, type UserStore, type UserWithRating, withRating } from './user-store.ts';

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  session_epoch: number;
  banned: number;
  ban_reason: string | null;
  created_at: number;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    sessionEpoch: row.session_epoch,
    banned: row.banned === 1,
    banReason: row.ban_reason,
    createdAt: row.created_at,
  };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  // IMMEDIATE takes the write lock up front, so two processes starting together apply each migration once.
  db.transaction(() => {
    const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
    for (const migration of pendingMigrations(row.v ?? 0)) {
      db.exec(migration.sqlite);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, datetime('now'))").run(
        migration.version,
        migration.name,
      );
    }
  }).immediate();
}

/**
 * Opens (creating if needed) the SQLite file at `path` and applies migrations.
 *
 * @example
 * const store = openSqliteStore(join(home, 'issuer.db'));
 */
export function openSqliteStore(path: string): UserStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);

  const insertUser = db.prepare(
    'INSERT INTO users (id, username, password_hash, created_at) VALUES (@id, @username, @passwordHash, @createdAt) RETURNING *',
  );
  const userById = db.prepare('SELECT * FROM users WHERE id = ?');
  const userWithRating = db.prepare(
    'SELECT users.*, ratings.rating AS rating, ratings.sigma AS sigma FROM users LEFT JOIN ratings ON ratings.user_id = users.id AND ratings.mode = ? WHERE users.id = ?',
  );
  const userByName = db.prepare('SELECT * FROM users WHERE username = ?');
  const setPassword = db.prepare(
    'UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 WHERE id = ? RETURNING session_epoch',
  );
  const bumpEpoch = db.prepare('UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ? RETURNING session_epoch');
  const ban = db.prepare(
    'UPDATE users SET banned = 1, ban_reason = ?, session_epoch = session_epoch + 1 WHERE id = ? RETURNING *',
  );
  const unban = db.prepare('UPDATE users SET banned = 0, ban_reason = NULL WHERE id = ? RETURNING *');
  const insertRevocation = db.prepare('INSERT INTO revocations (sub, not_before, reason) VALUES (?, ?, ?)');
  const ratingOf = db.prepare('SELECT rating FROM ratings WHERE user_id = ? AND mode = ?');
  const upsertRating = db.prepare(
    `INSERT INTO ratings (user_id, mode, rating, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id, mode) DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at`,
  );
  const revocationsSince = db.prepare(
    'SELECT sub, not_before AS notBefore, reason FROM revocations WHERE not_before >= ? ORDER BY not_before, id LIMIT ?',
  );
  const banTransaction = db.transaction((id: string, reason: string, at: number) => {
    const row = ban.get(reason, id) as UserRow | undefined;
    if (row) insertRevocation.run(id, at, `ban: ${reason}`);
    return row;
  });

  // The reads of one turn in one read transaction (read-batch.ts): SQLite takes and drops its
  // file locks once for all of them.
  const usersWithRatings = readBatch(
    db.transaction((keys: readonly { id: string; mode: string }[]) =>
      keys.map(({ id, mode }): UserWithRating | undefined => {
        const row = userWithRating.get(mode, id) as (UserRow & { rating: number | null; sigma: number | null }) | undefined;
        return row === undefined ? undefined : withRating(toUser(row), row.rating, row.sigma);
      }),
    ),
  );
  const epochOf = (row: unknown) => (row as { session_epoch: number } | undefined)?.session_epoch;
  const userOf = (row: unknown) => (row === undefined ? undefined : toUser(row as UserRow));

  return {
    async createUser(user: NewUser) {
      try {
        return toUser(insertUser.get(user) as UserRow);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && String(error).includes('users.username')) {
          throw new UsernameTakenError(user.username);
        }
        throw error;
      }
    },
    findUserById: async (id) => userOf(userById.get(id)),
    findUserWithRating: (id, mode) => usersWithRatings({ id, mode }),
    findUserByUsername: async (username) => userOf(userByName.get(username)),
    changePassword: async (id, passwordHash) => epochOf(setPassword.get(passwordHash, id)),
    bumpSessionEpoch: async (id) => epochOf(bumpEpoch.get(id)),
    banUser: async (id, reason, at) => userOf(banTransaction(id, reason, at)),
    unbanUser: async (id) => userOf(unban.get(id)),
    getRating: async (userId, mode) => (ratingOf.get(userId, mode) as { rating: number } | undefined)?.rating,
    async setRating(userId, mode, rating, at) {
      try {
        upsertRating.run(userId, mode, rating, at);
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return false;
        throw error;
      }
    },
    listRevocations: async (since, limit) => revocationsSince.all(since, limit) as Revocation[],
    ...sqlitePartyStore(db),
    ...sqliteResultStore(db),
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      db.close();
    },
  };
}
