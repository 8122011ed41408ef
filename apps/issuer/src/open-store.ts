// Picks the storage the config asks for: PostgreSQL when DATABASE_URL is set, else the SQLite file.
import { memoryLoginLimits, postgresLoginLimits, type LoginLimits, type LoginLimitWindows } from './attempt-limits.ts';
import type { DatabaseChoice } from './config.ts';
import { openPostgres, openPostgresStore } from './store/postgres-store.ts';
import { openSqliteStore } from './store/sqlite-store.ts';
import type { UserStore } from './store/user-store.ts';

export async function openStore(database: DatabaseChoice): Promise<UserStore> {
  return database.kind === 'postgres' ? openPostgresStore({ connectionString: database.url }) : openSqliteStore(database.path);
}

/**
 * The store and the login limits beside it: on PostgreSQL the limits live in the same database
 * (one pool), so every issuer on it shares them; on SQLite, a single issuer, they stay in memory.
 */
export async function openStorage(database: DatabaseChoice, windows: LoginLimitWindows): Promise<{ store: UserStore; loginLimits: LoginLimits }> {
  if (database.kind === 'sqlite') return { store: openSqliteStore(database.path), loginLimits: memoryLoginLimits(windows) };
  const { store, pool } = await openPostgres({ connectionString: database.url });
  return { store, loginLimits: postgresLoginLimits(pool, windows) };
}
