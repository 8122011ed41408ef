import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations.ts';
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
      expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: MIGRATIONS.at(-1)!.version });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a database written before parties, data intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'issuer-store-'));
    try {
      const path = join(dir, 'issuer.db');
      const db = new Database(path);
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      db.exec(MIGRATIONS[0]!.sqlite);
      db.prepare("INSERT INTO schema_migrations VALUES (1, 'users, ratings, revocations', 'then')").run();
      db.prepare("INSERT INTO users (id, username, password_hash, created_at) VALUES ('u1', 'old-timer', 'h', 1)").run();
      db.close();
      const store = openSqliteStore(path);
      try {
        expect(await store.findUserByUsername('old-timer')).toMatchObject({ id: 'u1' });
        expect(await store.createParty({ id: 'p1', mode: 'squad', leaderId: 'u1', at: 2 })).toMatchObject({ version: 1 });
      } finally {
        await store.close();
      }
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
