import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, bearer, createTestIssuer, jsonRequest, signUp, type TestIssuer } from '../testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Record<string, unknown>;
}

const admin = (method: string, path: string, body?: unknown, token = TEST_ADMIN_TOKEN) =>
  issuer.app.request(path, body === undefined ? { method, headers: bearer(token) } : jsonRequest(method, body, bearer(token)));
const ticket = (token: string) => issuer.app.request('/v1/tickets', jsonRequest('POST', { mode: 'duel', region: 'eu' }, bearer(token)));

describe('admin endpoints', () => {
  it('ban: the session and ticket requests get 403, a revocation is published; unban lets a new login in', async () => {
    issuer = createTestIssuer();
    const { id, token } = await signUp(issuer, 'mallory', 'correct horse');
    const res = await admin('POST', `/v1/admin/users/${id}/ban`, { reason: 'aimbot' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, username: 'mallory', banned: true, banReason: 'aimbot', sessionEpoch: 1 });

    const refused = await ticket(token);
    expect(refused.status).toBe(403);
    expect(await problem(refused)).toMatchObject({ code: 'banned', detail: 'aimbot' });
    expect(await issuer.store.listRevocations(0, 10)).toEqual([{ sub: id, notBefore: issuer.now(), reason: 'ban: aimbot' }]);

    const unban = await admin('POST', `/v1/admin/users/${id}/unban`);
    expect(await unban.json()).toMatchObject({ banned: false, banReason: null, sessionEpoch: 1 });
    // The old session stays revoked; logging in again works.
    expect((await ticket(token)).status).toBe(401);
    const login = await issuer.app.request('/v1/sessions', jsonRequest('POST', { username: 'mallory', password: 'correct horse' }));
    expect(login.status).toBe(200);
  });

  it('sets a rating the next ticket carries (with no uncertainty: none is known for it)', async () => {
    issuer = createTestIssuer();
    const { id, token } = await signUp(issuer, 'alice');
    const res = await admin('PUT', `/v1/admin/users/${id}/ratings/duel`, { rating: 2100 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, mode: 'duel', rating: 2100 });
    expect(await issuer.store.getRating(id, 'duel')).toBe(2100);
    const granted = ((await (await ticket(token)).json()) as { ticket: string }).ticket;
    const claims = JSON.parse(Buffer.from(granted.split('.')[2]!, 'base64url').subarray(0, -64).toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ rating: 2100 });
    expect(claims.uncertainty).toBeUndefined();
    const unknownMode = await admin('PUT', `/v1/admin/users/${id}/ratings/chess`, { rating: 1 });
    expect(unknownMode.status).toBe(422);
    expect(await problem(unknownMode)).toMatchObject({ code: 'unknown-mode', detail: '"chess"; modes offered: duel, squad' });
  });

  it('answers 404 user-not-found for an unknown user', async () => {
    issuer = createTestIssuer();
    for (const res of [
      await admin('POST', '/v1/admin/users/nobody/ban', { reason: 'x' }),
      await admin('POST', '/v1/admin/users/nobody/unban'),
      await admin('PUT', '/v1/admin/users/nobody/ratings/duel', { rating: 1 }),
    ]) {
      expect(res.status).toBe(404);
      expect((await problem(res)).code).toBe('user-not-found');
    }
  });

  it('needs the admin token', async () => {
    issuer = createTestIssuer();
    const { id, token } = await signUp(issuer, 'alice');
    const wrong = await admin('POST', `/v1/admin/users/${id}/ban`, { reason: 'x' }, 'not-the-admin-token-at-all');
    expect(wrong.status).toBe(401);
    expect((await problem(wrong)).code).toBe('invalid-admin-token');
    const session = await admin('POST', `/v1/admin/users/${id}/ban`, { reason: 'x' }, token);
    expect(session.status).toBe(401);
    const none = await issuer.app.request(`/v1/admin/users/${id}/unban`, { method: 'POST' });
    expect((await problem(none)).code).toBe('missing-token');
    expect((await issuer.store.findUserById(id))?.banned).toBe(false);
  });

  it('is disabled when no admin token is configured', async () => {
    issuer = createTestIssuer({ settings: { adminToken: undefined } });
    const { id } = await signUp(issuer, 'alice');
    const res = await admin('POST', `/v1/admin/users/${id}/ban`, { reason: 'x' });
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe('admin-disabled');
  });
});
