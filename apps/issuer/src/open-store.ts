// Picks the store the config asks for: PostgreSQL when DATABASE_URL is set, else the SQLite file.
import type { DatabaseChoice } from './config.ts';
import { openPostgresStore } from './store/postgres-store.ts';
import { openSqliteStore } from './store/sqlite-store.ts';
import type { UserStore } from './store/user-store.ts';

export async function openStore(database: DatabaseChoice): Promise<UserStore> {
  return database.kind === 'postgres' ? openPostgresStore({ connectionString: database.url }) : openSqliteStore(database.path);
}
