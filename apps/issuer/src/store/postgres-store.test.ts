// Runs against a real server (TEST_DATABASE_URL, default the local trust-auth one).
// Unreachable PostgreSQL fails this suite: it never skips.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from './postgres-store.ts';
import { describeUserStoreContract } from './store-contract.ts';
import { TEST_DATABASE_URL, dropTestSchema } from '../testing.ts';

describeUserStoreContract('PostgreSQL', async () => {
  const schema = `issuer_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    open: () => openPostgresStore({ connectionString: TEST_DATABASE_URL, schema }),
    destroy: () => dropTestSchema(schema),
  };
});

describe('PostgreSQL store', () => {
  it('rejects at open with the connection error when the server is unreachable', async () => {
    // Nothing listens on port 1: the refusal itself, passed through, not a timeout or a later query error.
    await expect(
      openPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectTimeoutMs: 1_000 }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 1 });
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    const open = openPostgresStore({ connectionString: TEST_DATABASE_URL, schema: 'x; DROP TABLE users' });
    await expect(open).rejects.toThrow(TypeError);
    await expect(open).rejects.toThrow('not a plain schema name: x; DROP TABLE users');
  });
});
