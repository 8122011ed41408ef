import { describe, expect, it } from 'vitest';
import { createHarness, problemOf } from '../../test/support.ts';

describe('a known path asked with a method it does not take', () => {
  it('answers 405 with Allow instead of 404', async () => {
    const h = createHarness();
    const cases: Array<[string, string, string]> = [
      ['GET', '/v1/queue', 'POST, DELETE'],
      ['PUT', '/v1/queue', 'POST, DELETE'],
      ['GET', '/v1/matches/current', 'POST'],
      ['POST', '/v1/queue/events', 'GET, HEAD'],
      ['DELETE', '/v1/pools', 'GET, HEAD'],
      ['POST', '/healthz', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await h.app.request(path, { method, headers: h.auth(h.ticket('alice')) });
      expect([method, path, res.status, res.headers.get('allow')]).toEqual([method, path, 405, allow]);
      expect(await problemOf(res)).toMatchObject({ type: '/problems/method-not-allowed', code: 'method-not-allowed', status: 405 });
    }
    // Asking the wrong way queues nobody.
    expect(h.matchmaker.playersIn()).toBe(0);
  });

  it('does so for every route the app has', async () => {
    const { app } = createHarness();
    const routes = app.routes.filter((r) => r.method !== 'ALL');
    expect(routes.length).toBeGreaterThan(5);
    for (const { path } of routes) {
      const res = await app.request(path, { method: 'PATCH' });
      expect([path, res.status], path).toEqual([path, 405]);
      const allow = res.headers.get('allow')?.split(', ') ?? [];
      expect(allow.sort()).toEqual(expect.arrayContaining([...new Set(routes.filter((r) => r.path === path).map((r) => r.method))]));
    }
  });

  it('still answers 404 for a path the app does not have', async () => {
    const res = await createHarness().app.request('/v1/queues', { method: 'GET' });
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
    expect((await problemOf(res)).code).toBe('not-found');
  });
});
