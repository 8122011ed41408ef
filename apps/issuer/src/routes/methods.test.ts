import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, bearer, createTestIssuer, signUp, type TestIssuer } from '../testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Record<string, unknown>;
}

describe('a known path asked with a method it does not take', () => {
  it('answers 405 with Allow instead of 404; admin paths check the admin token first', async () => {
    issuer = createTestIssuer();
    const { token } = await signUp(issuer, 'alice');
    const cases: Array<[string, string, string, string]> = [
      ['GET', '/v1/tickets', token, 'POST'],
      ['DELETE', '/v1/tickets', token, 'POST'],
      ['GET', '/v1/sessions', token, 'POST, DELETE'],
      ['GET', '/v1/accounts', token, 'POST'],
      ['POST', '/v1/accounts/me/password', token, 'PUT'],
      ['POST', '/v1/modes', token, 'GET, HEAD'],
      ['PUT', '/v1/revocations', token, 'GET, HEAD'],
      ['GET', '/v1/admin/users/42/ban', TEST_ADMIN_TOKEN, 'POST'],
      ['DELETE', '/v1/admin/users/42/ratings/duel', TEST_ADMIN_TOKEN, 'PUT'],
      ['POST', '/readyz', token, 'GET, HEAD'],
    ];
    for (const [method, path, credential, allow] of cases) {
      const res = await issuer.app.request(path, { method, headers: bearer(credential) });
      expect([method, path, res.status, res.headers.get('allow')]).toEqual([method, path, 405, allow]);
      expect(await problem(res)).toMatchObject({ type: '/problems/method-not-allowed', code: 'method-not-allowed', status: 405 });
    }
    // The admin check still comes first: no Allow for a caller without the token.
    expect((await issuer.app.request('/v1/admin/users/42/ban', { method: 'GET' })).status).toBe(401);
  });

  it('does so for every route the app has', async () => {
    issuer = createTestIssuer();
    const routes = issuer.app.routes.filter((r) => r.method !== 'ALL');
    expect(routes.length).toBeGreaterThan(10);
    for (const { path } of routes) {
      const concrete = path.replaceAll(/:(\w+)/g, (_, name: string) => (name === 'mode' ? 'duel' : 'x'));
      const res = await issuer.app.request(concrete, { method: 'PATCH', headers: bearer(TEST_ADMIN_TOKEN) });
      expect([path, res.status]).toEqual([path, 405]);
      const allow = res.headers.get('allow')?.split(', ') ?? [];
      expect(allow).toEqual(expect.arrayContaining([...new Set(routes.filter((r) => r.path === path).map((r) => r.method))]));
    }
  });

  it('still answers 404 for a path the issuer does not have', async () => {
    issuer = createTestIssuer();
    const res = await issuer.app.request('/v1/ticket', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
    expect((await problem(res)).code).toBe('not-found');
  });
});
