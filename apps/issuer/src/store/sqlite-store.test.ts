import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from './sqlite-store.ts';
import { describeUserStoreContract } from './store-contract.ts';

describeUserStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'issuer-store-'));
  const path = join(dir, 'nested', 'issuer.db');
  return {
    open: async () => openSqliteStore(path),
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SQLite file', () => {
  it('is created on first open, in WAL mode, at the latest schema version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'issuer-store-'));
    try {
      const path = join(dir, 'issuer.db');
      const store = openSqliteStore(path);
      await store.close();
      const db = new Database(path, { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 1 });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database written by a newer issuer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'issuer-store-'));
    try {
      const path = join(dir, 'issuer.db');
      await openSqliteStore(path).close();
      const db = new Database(path);
      db.prepare("INSERT INTO schema_migrations VALUES (99, 'future', 'now')").run();
      db.close();
      expect(() => openSqliteStore(path)).toThrow(/newer than this issuer knows/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
