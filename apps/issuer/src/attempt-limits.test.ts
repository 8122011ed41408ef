// One suite over both kinds of login limits (memory, PostgreSQL), then what only sharing can show.
// PostgreSQL: TEST_DATABASE_URL, default the local trust-auth server; each run works in its own schema.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryLoginLimits, postgresLoginLimits, takeLoginAttempt, type LoginLimitWindows, type LoginLimits } from './attempt-limits.ts';
import { openPostgres } from './store/postgres-store.ts';
import type { UserStore } from './store/user-store.ts';
import { T0, TEST_DATABASE_URL, dropTestSchema } from './testing.ts';

const URL = TEST_DATABASE_URL;
const SCHEMA = `issuer_limits_${process.pid}_${randomBytes(4).toString('hex')}`;
const opened: UserStore[] = [];

/** A limiter on its own pool: as far as the database can tell, another issuer process. */
async function postgresIssuerLimits(windows: LoginLimitWindows): Promise<LoginLimits> {
  const { store, pool } = await openPostgres({ connectionString: URL, schema: SCHEMA, maxConnections: 4 });
  opened.push(store);
  return postgresLoginLimits(pool, windows);
}

afterAll(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  await dropTestSchema(SCHEMA);
});

// The library reads the wall clock: tests move it, starting a fresh key space per test.
let run = 0;
let key: (name: string) => string;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
  run += 1;
  key = (name) => `${name}-${run}-${randomBytes(3).toString('hex')}`;
});
afterEach(() => vi.useRealTimers());

const windows = (perUsername: number, perAddress: number): LoginLimitWindows => ({
  perUsername: { limit: perUsername, windowMs: 60_000 },
  perAddress: { limit: perAddress, windowMs: 60_000 },
});
const at = (ms: number) => vi.setSystemTime(T0 + ms);

const implementations: [string, (w: LoginLimitWindows) => Promise<LoginLimits>][] = [
  ['memory', async (w) => memoryLoginLimits(w)],
  ['PostgreSQL', postgresIssuerLimits],
];

describe.each(implementations)('takeLoginAttempt (%s)', (_, open) => {
  it('allows `limit` attempts per username in a window, then says how long until it ends', async () => {
    const limits = await open(windows(3, 100));
    const [alice, bob, address] = [key('alice'), key('bob'), key('addr')];
    for (const ms of [0, 10_000, 20_000]) {
      at(ms);
      expect(await takeLoginAttempt(limits, alice, address)).toEqual({ allowed: true, retryAfterMs: 0 });
    }
    at(30_000);
    expect(await takeLoginAttempt(limits, alice, address)).toEqual({ allowed: false, retryAfterMs: 30_000 });
    expect((await takeLoginAttempt(limits, bob, address)).allowed).toBe(true);
    at(60_000);
    expect((await takeLoginAttempt(limits, alice, address)).allowed).toBe(true);
  });

  it('limits an address across usernames, and signups (no username) count against it', async () => {
    const limits = await open(windows(10, 3));
    const [address, other] = [key('addr'), key('addr')];
    expect((await takeLoginAttempt(limits, undefined, address)).allowed).toBe(true);
    expect((await takeLoginAttempt(limits, key('a'), address)).allowed).toBe(true);
    expect((await takeLoginAttempt(limits, key('b'), address)).allowed).toBe(true);
    at(5_000);
    expect(await takeLoginAttempt(limits, key('c'), address)).toEqual({ allowed: false, retryAfterMs: 55_000 });
    expect(await takeLoginAttempt(limits, undefined, address)).toEqual({ allowed: false, retryAfterMs: 55_000 });
    expect((await takeLoginAttempt(limits, key('c'), other)).allowed).toBe(true);
  });

  it('counts nothing for an attempt the username refuses: the address gets its attempt back', async () => {
    const limits = await open(windows(1, 3));
    const [alice, address] = [key('alice'), key('addr')];
    expect((await takeLoginAttempt(limits, alice, address)).allowed).toBe(true);
    for (let i = 0; i < 5; i++) expect((await takeLoginAttempt(limits, alice, address)).allowed).toBe(false);
    expect((await takeLoginAttempt(limits, key('bob'), address)).allowed).toBe(true);
    expect((await takeLoginAttempt(limits, key('carol'), address)).allowed).toBe(true);
    expect((await takeLoginAttempt(limits, key('dave'), address)).allowed).toBe(false);
  });

  it('counts nothing against the username for an attempt the address refuses; Retry-After covers both', async () => {
    const limits = await open(windows(2, 1));
    const [alice, first, second, third] = [key('alice'), key('addr'), key('addr'), key('addr')];
    expect((await takeLoginAttempt(limits, alice, first)).allowed).toBe(true);
    for (let i = 0; i < 3; i++) expect((await takeLoginAttempt(limits, alice, first)).allowed).toBe(false);
    at(20_000);
    expect((await takeLoginAttempt(limits, alice, second)).allowed).toBe(true);
    // Alice is full until 60 s, the second address until 80 s: Retry-After is the later of the two.
    at(30_000);
    expect(await takeLoginAttempt(limits, alice, third)).toEqual({ allowed: false, retryAfterMs: 30_000 });
    expect(await takeLoginAttempt(limits, alice, second)).toEqual({ allowed: false, retryAfterMs: 50_000 });
  });
});

describe('PostgreSQL login limits shared by two issuers', () => {
  it('together allow `limit` attempts per username and refuse the next on either', async () => {
    const [one, two] = [await postgresIssuerLimits(windows(5, 100)), await postgresIssuerLimits(windows(5, 100))];
    const alice = key('alice');
    for (let i = 0; i < 5; i++) {
      expect((await takeLoginAttempt(i % 2 === 0 ? one : two, alice, key('addr'))).allowed).toBe(true);
    }
    expect((await takeLoginAttempt(one, alice, key('addr'))).allowed).toBe(false);
    expect((await takeLoginAttempt(two, alice, key('addr'))).allowed).toBe(false);
  });

  it('stay exact under concurrent attempts from both: each one is a single atomic upsert', async () => {
    const [one, two] = [await postgresIssuerLimits(windows(7, 1_000)), await postgresIssuerLimits(windows(7, 1_000))];
    const alice = key('alice');
    const byName = await Promise.all(Array.from({ length: 40 }, (_, i) => takeLoginAttempt(i % 2 === 0 ? one : two, alice, key('addr'))));
    expect(byName.filter((d) => d.allowed)).toHaveLength(7);

    const [three, four] = [await postgresIssuerLimits(windows(1_000, 7)), await postgresIssuerLimits(windows(1_000, 7))];
    const address = key('addr');
    const byAddress = await Promise.all(Array.from({ length: 40 }, (_, i) => takeLoginAttempt(i % 2 === 0 ? three : four, key('u'), address)));
    expect(byAddress.filter((d) => d.allowed)).toHaveLength(7);
  });
});
