import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { corsFor } from './cors.ts';

function app(origins: string[]) {
  const app = new Hono();
  const cors = corsFor(origins);
  if (cors !== undefined) app.use('*', cors);
  return app.post('/v1/queue', (c) => c.json({ ok: true }, 200, { 'retry-after': '1' }));
}

const preflight = (origin: string) =>
  new Request('http://x/v1/queue', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });

describe('corsFor', () => {
  it('answers a preflight for any origin with *, allowing the bearer header, and exposes Retry-After', async () => {
    const res = await app(['*']).request(preflight('https://game.example'));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const post = await app(['*']).request('/v1/queue', { method: 'POST', headers: { origin: 'https://game.example' } });
    expect(post.headers.get('access-control-allow-origin')).toBe('*');
    expect(post.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('retry-after');
  });

  it('adds nothing to a request without an Origin (not from a browser)', async () => {
    const res = await app(['*']).request('/v1/queue', { method: 'POST' });
    expect([...res.headers.keys()].filter((name) => name.startsWith('access-control') || name === 'vary')).toEqual([]);
  });

  it('allows only the listed origins, and sends nothing with an empty list', async () => {
    const listed = app(['https://game.example/']);
    expect((await listed.request(preflight('https://game.example'))).headers.get('access-control-allow-origin')).toBe('https://game.example');
    expect((await listed.request(preflight('https://evil.example'))).headers.get('access-control-allow-origin')).toBeNull();
    const none = await app([]).request('/v1/queue', { method: 'POST', headers: { origin: 'https://game.example' } });
    expect(none.status).toBe(200);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });
});
