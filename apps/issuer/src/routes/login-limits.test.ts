// Login limits as several issuers behind proxies see them: shared through PostgreSQL, keyed by
// the address a trusted proxy saw, never by what the client wrote into the header.
import { randomBytes, randomInt } from 'node:crypto';
import { startServer, type ServerHandle } from '@ticketbooth/http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postgresLoginLimits } from '../attempt-limits.ts';
import { openPostgres } from '../store/postgres-store.ts';
import { TEST_DATABASE_URL, createTestIssuer, dropTestSchema, jsonRequest, signUp, type TestIssuer, type TestIssuerOptions } from '../testing.ts';

const URL = TEST_DATABASE_URL;
const SCHEMA = `issuer_login_${process.pid}_${randomBytes(4).toString('hex')}`;

const issuers: TestIssuer[] = [];
const servers: ServerHandle[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(issuers.splice(0).map((issuer) => issuer.close()));
});
afterAll(async () => {
  await dropTestSchema(SCHEMA);
});

function issuer(options: TestIssuerOptions = {}): TestIssuer {
  const created = createTestIssuer(options);
  issuers.push(created);
  return created;
}

/** An issuer process of a fleet: its own pool on the shared database, as main.ts opens it. */
async function postgresIssuer(): Promise<TestIssuer> {
  const { store, pool } = await openPostgres({ connectionString: URL, schema: SCHEMA, maxConnections: 4 });
  const windows = { perUsername: { limit: 5, windowMs: 300_000 }, perAddress: { limit: 60, windowMs: 60_000 } };
  return issuer({ storage: { store, loginLimits: postgresLoginLimits(pool, windows) } });
}

const login = (target: TestIssuer, username: string, password: string, headers: Record<string, string> = {}) =>
  target.app.request('/v1/sessions', jsonRequest('POST', { username, password }, headers));

async function expectTooMany(res: Response): Promise<void> {
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await res.json()).toMatchObject({ code: 'too-many-attempts', status: 429 });
}

describe('two issuers on one PostgreSQL database', () => {
  it('share the per-username limit: together they refuse the (N+1)th attempt, on either', async () => {
    const [one, two] = [await postgresIssuer(), await postgresIssuer()];
    const username = `alice${randomBytes(3).toString('hex')}`;
    // Signing up on one logs in once (1 of 5); the other issuer sees the same user and the same count.
    await signUp(one, username, 'correct horse');
    for (const target of [two, one, two, one]) expect((await login(target, username, 'wrong horse!')).status).toBe(401);
    await expectTooMany(await login(two, username, 'correct horse'));
    await expectTooMany(await login(one, username, 'correct horse'));
    // Another player is not affected.
    expect((await login(two, `bob${randomBytes(3).toString('hex')}`, 'whatever!!')).status).toBe(401);
  });
});

describe('the client address behind trusted proxies', () => {
  it('1 hop: a forged leftmost X-Forwarded-For gains nothing, every attempt counts against the address the proxy saw', async () => {
    const target = issuer({ settings: { trustedProxyHops: 1, loginLimits: { perAddress: { limit: 5, windowMs: 60_000 } } } });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) {
      // The attacker writes a fresh address each time; the proxy appends the one it saw.
      const res = await login(target, `guess${i}`, 'password!', { 'x-forwarded-for': `1.2.3.${randomInt(256)}, 203.0.113.9` });
      statuses.push(res.status);
      if (i === 5) await expectTooMany(res);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((status) => status === 429)).toBe(true);
    // A player behind the same proxy at another address still gets in.
    expect((await login(target, 'guess0', 'password!', { 'x-forwarded-for': '203.0.113.10' })).status).toBe(401);
  });

  it('2 hops: the entry the outer proxy appended is the client; the inner proxy address is not', async () => {
    const target = issuer({ settings: { trustedProxyHops: 2, loginLimits: { perAddress: { limit: 2, windowMs: 60_000 } } } });
    const from = (client: string) => ({ 'x-forwarded-for': `6.6.6.${randomInt(256)}, ${client}, 10.1.0.5` });
    for (let i = 0; i < 2; i++) expect((await login(target, `a${i}xx`, 'password!', from('198.51.100.7'))).status).toBe(401);
    await expectTooMany(await login(target, 'a2xx', 'password!', from('198.51.100.7')));
    expect((await login(target, 'a3xx', 'password!', from('198.51.100.8'))).status).toBe(401);
  });

  async function served(options: TestIssuerOptions): Promise<string> {
    const target = issuer(options);
    const server = await startServer({ fetch: target.app.fetch, port: 0 });
    servers.push(server);
    return server.url;
  }

  const loginOver = (base: string, username: string, headers: Record<string, string>) =>
    fetch(`${base}/v1/sessions`, jsonRequest('POST', { username, password: 'password!' }, headers));

  it('0 hops (the default): the socket peer, over a real connection, whatever the header says', async () => {
    const base = await served({ settings: { loginLimits: { perAddress: { limit: 3, windowMs: 60_000 } } } });
    for (let i = 0; i < 3; i++) expect((await loginOver(base, `s${i}xx`, { 'x-forwarded-for': `1.2.3.${i}` })).status).toBe(401);
    await expectTooMany(await loginOver(base, 's3xx', { 'x-forwarded-for': '1.2.3.99' }));
  });

  it('fewer entries than hops (the request skipped a proxy): the socket peer, not the leftmost entry', async () => {
    const base = await served({ settings: { trustedProxyHops: 2, loginLimits: { perAddress: { limit: 3, windowMs: 60_000 } } } });
    for (let i = 0; i < 3; i++) expect((await loginOver(base, `f${i}xx`, { 'x-forwarded-for': `1.2.3.${i}` })).status).toBe(401);
    await expectTooMany(await loginOver(base, 'f3xx', { 'x-forwarded-for': '1.2.3.99' }));
    // The same socket peer with a full chain is another client: its own bucket.
    expect((await loginOver(base, 'f4xx', { 'x-forwarded-for': '198.51.100.7, 10.1.0.5' })).status).toBe(401);
  });
});
