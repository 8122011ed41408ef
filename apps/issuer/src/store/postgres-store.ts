// The scale-out store: PostgreSQL through a pg pool, chosen when DATABASE_URL is set.
import pg from 'pg';
import { MIGRATIONS, pendingMigrations } from './migrations.ts';
import { postgresPartyStore } from './postgres-parties.ts';
import { postgresResultStore } from './postgres-results.ts';
import { inTransaction } from './postgres-transaction.ts';
import { readBatch } from './read-batch.ts';
import { UsernameTakenError, type NewUser, type User, type UserStore, type UserWithRating, withRating } from './user-store.ts';

export interface PostgresStoreOptions {
  readonly connectionString: string;
  /** Schema to create (if missing) and work in; default: the server's search_path. */
  readonly schema?: string;
  readonly maxConnections?: number;
  readonly connectTimeoutMs?: number;
}

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  session_epoch: number;
  banned: boolean;
  ban_reason: string | null;
  created_at: string;
}

const USER_COLUMNS = 'id, username, password_hash, session_epoch, banned, ban_reason, created_at';
// Named, so each pooled connection parses and plans it once: it runs for every ticket request,
// for all the requests of one turn at once (read-batch.ts), each key tagged by its position.
const USERS_WITH_RATINGS = {
  name: 'ticketbooth-users-with-ratings',
  text: `SELECT q.n, ${USER_COLUMNS.replace(/(\w+)/g, 'u.$1')}, r.rating, r.sigma
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(id, mode, n)
         JOIN users u ON u.id = q.id
         LEFT JOIN ratings r ON r.user_id = u.id AND r.mode = q.mode`,
};
// Any constant works; it only has to be the same for every issuer sharing the database.
const MIGRATION_LOCK = 0x7469636b;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    sessionEpoch: row.session_epoch,
    banned: row.banned,
    banReason: row.ban_reason,
    // BIGINT arrives as a string; our millisecond times fit a double exactly.
    createdAt: Number(row.created_at),
  };
}

async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
  await inTransaction(pool, async (client) => {
    // Several issuers may start at once: the lock makes them apply each migration exactly once.
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    for (const migration of pendingMigrations(rows[0]?.v ?? 0, MIGRATIONS)) {
      await client.query(migration.postgres);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
  });
}

/**
 * Connects, applies migrations and returns the store. Rejects when the
 * server cannot be reached: a configured database that is down is an error.
 *
 * @example
 * const store = await openPostgresStore({ connectionString: process.env.DATABASE_URL });
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<UserStore> {
  return (await openPostgres(options)).store;
}

/** The store and its pool, for what else lives in the same database (the shared login limits). `store.close()` ends the pool. */
export async function openPostgres(options: PostgresStoreOptions): Promise<{ store: UserStore; pool: pg.Pool }> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new TypeError(`not a plain schema name: ${schema}`);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    await migrate(pool, schema);
  } catch (error) {
    await pool.end();
    throw error;
  }

  const one = async (sql: string, values: unknown[]) => (await pool.query<UserRow>(sql, values)).rows[0];
  const userOf = (row: UserRow | undefined) => (row === undefined ? undefined : toUser(row));
  const epochOf = async (sql: string, values: unknown[]) =>
    (await pool.query<{ session_epoch: number }>(sql, values)).rows[0]?.session_epoch;

  const usersWithRatings = readBatch(async (keys: readonly { id: string; mode: string }[]) => {
    const { rows } = await pool.query<UserRow & { n: string; rating: number | null; sigma: number | null }>({
      ...USERS_WITH_RATINGS,
      values: [keys.map((k) => k.id), keys.map((k) => k.mode)],
    });
    const found: (UserWithRating | undefined)[] = new Array(keys.length).fill(undefined);
    // BIGINT ordinality arrives as a string, counted from 1.
    for (const row of rows) found[Number(row.n) - 1] = withRating(toUser(row), row.rating, row.sigma);
    return found;
  });

  const store: UserStore = {
    async createUser(user: NewUser) {
      try {
        const row = await one(
          `INSERT INTO users (id, username, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLUMNS}`,
          [user.id, user.username, user.passwordHash, user.createdAt],
        );
        return toUser(row!);
      } catch (error) {
        const { code, constraint } = error as { code?: string; constraint?: string };
        if (code === '23505' && constraint === 'users_username_lower') throw new UsernameTakenError(user.username);
        throw error;
      }
    },
    findUserById: async (id) => userOf(await one(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id])),
    findUserWithRating: (id, mode) => usersWithRatings({ id, mode }),
    findUserByUsername: async (username) =>
      userOf(await one(`SELECT ${USER_COLUMNS} FROM users WHERE lower(username) = lower($1)`, [username])),
    changePassword: (id, passwordHash) =>
      epochOf('UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 WHERE id = $2 RETURNING session_epoch', [
        passwordHash,
        id,
      ]),
    bumpSessionEpoch: (id) => epochOf('UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1 RETURNING session_epoch', [id]),
    banUser: (id, reason, at) =>
      inTransaction(pool, async (client) => {
        const { rows } = await client.query<UserRow>(
          `UPDATE users SET banned = true, ban_reason = $1, session_epoch = session_epoch + 1 WHERE id = $2 RETURNING ${USER_COLUMNS}`,
          [reason, id],
        );
        const row = rows[0];
        if (row) await client.query('INSERT INTO revocations (sub, not_before, reason) VALUES ($1, $2, $3)', [id, at, `ban: ${reason}`]);
        return userOf(row);
      }),
    unbanUser: async (id) =>
      userOf(await one(`UPDATE users SET banned = false, ban_reason = NULL WHERE id = $1 RETURNING ${USER_COLUMNS}`, [id])),
    async getRating(userId, mode) {
      const { rows } = await pool.query<{ rating: number }>('SELECT rating FROM ratings WHERE user_id = $1 AND mode = $2', [userId, mode]);
      return rows[0]?.rating;
    },
    async setRating(userId, mode, rating, at) {
      try {
        await pool.query(
          `INSERT INTO ratings (user_id, mode, rating, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id, mode) DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at`,
          [userId, mode, rating, at],
        );
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === '23503') return false;
        throw error;
      }
    },
    async listRevocations(since, limit) {
      const { rows } = await pool.query<{ sub: string; not_before: string; reason: string }>(
        'SELECT sub, not_before, reason FROM revocations WHERE not_before >= $1 ORDER BY not_before, id LIMIT $2',
        [since, limit],
      );
      return rows.map((r) => ({ sub: r.sub, notBefore: Number(r.not_before), reason: r.reason }));
    },
    ...postgresPartyStore(pool),
    ...postgresResultStore(pool),
    async ping() {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
  return { store, pool };
}
