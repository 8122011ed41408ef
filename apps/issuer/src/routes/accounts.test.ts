import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestIssuer, jsonRequest, signUp, type TestIssuer } from '../testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { type: string; code: string; status: number; detail?: string };
}

describe('POST /v1/accounts', () => {
  it('registers with a normalised username and stores an argon2id hash', async () => {
    issuer = createTestIssuer();
    const res = await issuer.app.request('/v1/accounts', jsonRequest('POST', { username: 'Ａlice', password: 'correct horse' }));
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { id: string; username: string };
    expect(body).toEqual({ id: expect.any(String), username: 'alice' });
    const stored = await issuer.store.findUserById(body.id);
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored?.passwordHash).not.toContain('correct horse');
  });

  it('answers 409 for a username taken in any case', async () => {
    issuer = createTestIssuer();
    await signUp(issuer, 'bob');
    const res = await issuer.app.request('/v1/accounts', jsonRequest('POST', { username: 'BOB', password: 'another password' }));
    expect(res.status).toBe(409);
    expect(await problem(res)).toMatchObject({ type: '/problems/username-taken', code: 'username-taken', status: 409 });
  });

  it('refuses usernames and passwords outside the documented limits', async () => {
    issuer = createTestIssuer();
    const cases = [
      { username: 'ab', password: 'long enough' },
      { username: 'has space', password: 'long enough' },
      { username: 'x'.repeat(33), password: 'long enough' },
      { username: 'carol', password: 'short' },
      { username: 'carol', password: 'x'.repeat(257) },
      // 20 characters as typed, 360 after NFKC: limits apply to the normalised password.
      { username: 'carol', password: '\uFDFA'.repeat(20) },
      { username: 'carol', password: 'long enough', extra: true },
    ];
    for (const body of cases) {
      const res = await issuer.app.request('/v1/accounts', jsonRequest('POST', body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await problem(res)).code).toBe('invalid-request');
    }
    expect(await issuer.store.findUserByUsername('carol')).toBeUndefined();
  });
});

describe('PUT /v1/accounts/me/password', () => {
  it('changes the password, revokes older sessions and returns a fresh one', async () => {
    issuer = createTestIssuer();
    const { token } = await signUp(issuer, 'dave', 'old password');
    const other = await issuer.app.request('/v1/sessions', jsonRequest('POST', { username: 'dave', password: 'old password' }));
    const otherToken = ((await other.json()) as { token: string }).token;

    const wrong = await issuer.app.request(
      '/v1/accounts/me/password',
      jsonRequest('PUT', { currentPassword: 'not it at all', newPassword: 'new password' }, bearer(token)),
    );
    expect(wrong.status).toBe(401);
    expect((await problem(wrong)).code).toBe('invalid-credentials');

    const res = await issuer.app.request(
      '/v1/accounts/me/password',
      jsonRequest('PUT', { currentPassword: 'old password', newPassword: 'new password' }, bearer(token)),
    );
    expect(res.status).toBe(200);
    const fresh = ((await res.json()) as { token: string }).token;

    const ticket = (t: string) => issuer.app.request('/v1/tickets', jsonRequest('POST', { mode: 'duel', region: 'eu' }, bearer(t)));
    expect((await problem(await ticket(otherToken))).code).toBe('session-revoked');
    expect((await ticket(fresh)).status).toBe(200);
    const login = (password: string) => issuer.app.request('/v1/sessions', jsonRequest('POST', { username: 'dave', password }));
    expect((await login('old password')).status).toBe(401);
    expect((await login('new password')).status).toBe(200);
  });
});
