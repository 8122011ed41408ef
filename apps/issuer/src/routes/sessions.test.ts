import { createVerifier } from '@ticketbooth/tickets';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPasswordHasher } from '../passwords.ts';
import { T0, bearer, createTestIssuer, jsonRequest, signUp, type TestIssuer } from '../testing.ts';

let issuer: TestIssuer;
afterEach(async () => {
  vi.useRealTimers();
  await issuer?.close();
});

/** The attempt limits read the wall clock (rate-limiter-flexible has no clock to pass): freeze it with the issuer's. */
function freezeWallClock(): (ms: number) => void {
  vi.useFakeTimers({ toFake: ['Date'], now: issuer.now() });
  return (ms) => {
    issuer.advance(ms);
    vi.setSystemTime(issuer.now());
  };
}

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Record<string, unknown>;
}

const login = (username: string, password: string, headers: Record<string, string> = {}) =>
  issuer.app.request('/v1/sessions', jsonRequest('POST', { username, password }, headers));
const ticket = (token: string) => issuer.app.request('/v1/tickets', jsonRequest('POST', { mode: 'duel', region: 'eu' }, bearer(token)));

describe('POST /v1/sessions', () => {
  it('returns a session token carrying the user and epoch, verifiable with the issuer keys', async () => {
    issuer = createTestIssuer();
    const { id } = await signUp(issuer, 'alice', 'correct horse');
    const res = await login('ALICE', 'correct horse');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { token: string; expiresAt: string };
    expect(body.expiresAt).toBe(new Date(T0 + issuer.shared.sessionTtlMs).toISOString());
    const verifier = createVerifier({
      keys: issuer.keys,
      purpose: 'session',
      issuer: 'ticketbooth-issuer',
      audience: issuer.shared.audiences.session,
      maxLifetimeMs: issuer.shared.sessionTtlMs,
      now: issuer.now,
    });
    expect(verifier.verify(body.token).claims).toMatchObject({ sub: id, epoch: 0 });
  });

  it('answers a wrong password and an unknown user with the same 401 body', async () => {
    issuer = createTestIssuer();
    await signUp(issuer, 'alice', 'correct horse');
    const wrong = await login('alice', 'wrong horse!');
    const unknown = await login('nobody', 'wrong horse!');
    const impossible = await login('not a valid name!', 'wrong horse!');
    expect([wrong.status, unknown.status, impossible.status]).toEqual([401, 401, 401]);
    const bodies = await Promise.all([wrong, unknown, impossible].map(problem));
    expect(bodies[0]).toEqual({ type: '/problems/invalid-credentials', title: 'Invalid username or password', status: 401, code: 'invalid-credentials' });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  it('spends a real argon2id verification on unknown users', async () => {
    const passwords = createPasswordHasher({ memoryCost: 8_192, timeCost: 3, parallelism: 1 });
    const stored = await passwords.hash('correct horse');
    const time = async (run: () => Promise<boolean>) => {
      const start = performance.now();
      expect(await run()).toBe(false);
      return performance.now() - start;
    };
    await passwords.verifyDummy('warm up');
    const fastest = async (run: () => Promise<boolean>) => Math.min(await time(run), await time(run), await time(run));
    const wrong = await fastest(() => passwords.verify(stored, 'wrong'));
    const dummy = await fastest(() => passwords.verifyDummy('wrong'));
    // Generous bounds: the machine is shared; the point is that the dummy is not free.
    expect(dummy).toBeGreaterThan(wrong * 0.4);
  });

  it('limits attempts per username with 429 and Retry-After', async () => {
    issuer = createTestIssuer({ settings: { loginLimits: { perUsername: { limit: 3, windowMs: 60_000 } } } });
    const advance = freezeWallClock();
    await signUp(issuer, 'alice', 'correct horse');
    advance(1_000);
    for (let i = 0; i < 2; i++) expect((await login('alice', 'wrong horse!')).status).toBe(401);
    const limited = await login('Alice', 'correct horse');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('59');
    expect(await problem(limited)).toMatchObject({ type: '/problems/too-many-attempts', code: 'too-many-attempts' });
    // Another name is not affected; the first name recovers once the window slides.
    expect((await login('bob', 'whatever!!')).status).toBe(401);
    advance(59_000);
    expect((await login('alice', 'correct horse')).status).toBe(200);
  });

  it('limits attempts per client address across usernames', async () => {
    issuer = createTestIssuer({ settings: { trustedProxyHops: 2, loginLimits: { perAddress: { limit: 3, windowMs: 10_000 } } } });
    freezeWallClock();
    // Two proxies: the outer one saw the client, the inner one saw the outer one at 10.0.0.1.
    const from = (address: string) => ({ 'x-forwarded-for': `${address}, 10.0.0.1` });
    for (const name of ['a1x', 'a2x', 'a3x']) expect((await login(name, 'password!', from('192.0.2.7'))).status).toBe(401);
    const limited = await login('a4x', 'password!', from('192.0.2.7'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    expect((await login('a4x', 'password!', from('192.0.2.8'))).status).toBe(401);
  });

  it('refuses a banned user with 403 even with the right password', async () => {
    issuer = createTestIssuer();
    const { id } = await signUp(issuer, 'mallory', 'correct horse');
    await issuer.store.banUser(id, 'cheating', issuer.now());
    const res = await login('mallory', 'correct horse');
    expect(res.status).toBe(403);
    expect(await problem(res)).toMatchObject({ code: 'banned', detail: 'cheating' });
  });
});

describe('DELETE /v1/sessions', () => {
  it('logs out everywhere: every older session is refused at once, a new login works', async () => {
    issuer = createTestIssuer();
    const { token } = await signUp(issuer, 'alice', 'correct horse');
    const second = ((await (await login('alice', 'correct horse')).json()) as { token: string }).token;
    expect((await ticket(second)).status).toBe(200);

    const res = await issuer.app.request('/v1/sessions', { method: 'DELETE', headers: bearer(token) });
    expect(res.status).toBe(204);
    for (const old of [token, second]) {
      const refused = await ticket(old);
      expect(refused.status).toBe(401);
      expect(await problem(refused)).toMatchObject({ type: '/problems/session-revoked', code: 'session-revoked' });
    }
    const fresh = ((await (await login('alice', 'correct horse')).json()) as { token: string }).token;
    expect((await ticket(fresh)).status).toBe(200);
  });

  it('needs a valid session', async () => {
    issuer = createTestIssuer();
    expect((await problem(await issuer.app.request('/v1/sessions', { method: 'DELETE' }))).code).toBe('missing-token');
    const forged = await issuer.app.request('/v1/sessions', { method: 'DELETE', headers: bearer('v4.public.AAAA') });
    expect(forged.status).toBe(401);
    expect((await problem(forged)).code).toBe('malformed');
  });

  it('refuses an expired session', async () => {
    issuer = createTestIssuer();
    const { token } = await signUp(issuer, 'alice');
    issuer.advance(issuer.shared.sessionTtlMs + 10_000);
    const res = await ticket(token);
    expect(res.status).toBe(401);
    expect((await problem(res)).code).toBe('expired');
  });
});
