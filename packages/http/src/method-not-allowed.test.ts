import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createErrorHandler, notFound } from './errors.ts';
import { answerWrongMethods, routeMethods } from './method-not-allowed.ts';
import { Problem } from './problem.ts';

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Record<string, unknown>;
}

/** An app as the services build theirs: middleware first, route modules mounted, one error handler. */
function app(wire: (modules: Hono[]) => Hono[] = (modules) => modules.map(answerWrongMethods)) {
  const queue = new Hono()
    .post('/v1/queue', (c) => c.text('queued'))
    .delete('/v1/queue', (c) => c.body(null, 204))
    .get('/v1/queue/events', (c) => c.text('events'));
  const users = new Hono()
    .get('/v1/users/:id', (c) => (c.req.param('id') === 'ghost' ? c.json({ code: 'user-not-found' }, 404) : c.text('user')))
    .put('/v1/users/:id', (c) => c.text('put'));
  // Another module routing a path the one above also matches: its POST must still be answered.
  const special = new Hono().post('/v1/users/me', (c) => c.text('me')).get('/v1/fail', () => {
    throw new Problem(503, 'not-ready', 'Not ready');
  });
  const hono = new Hono();
  hono.use('*', async (c, next) => {
    await next();
    c.header('x-request-id', 'r-1');
  });
  for (const module of wire([queue, users, special])) hono.route('/', module);
  hono.onError(createErrorHandler({ log: () => {} }));
  hono.notFound(notFound);
  return hono;
}

describe('answerWrongMethods', () => {
  it('answers 405 with Allow for a known path asked with another method', async () => {
    for (const method of ['GET', 'PUT', 'PATCH', 'HEAD', 'OPTIONS']) {
      const res = await app().request('/v1/queue', { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('POST, DELETE');
      expect(res.headers.get('cache-control')).toBe('no-store');
      if (method === 'HEAD') continue;
      expect(await problem(res)).toEqual({
        type: '/problems/method-not-allowed',
        title: 'Method not allowed',
        status: 405,
        code: 'method-not-allowed',
        detail: `${method} /v1/queue: allowed POST, DELETE`,
      });
    }
  });

  it('lists HEAD with GET, and matches paths with parameters', async () => {
    const res = await app().request('/v1/queue/events', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    const user = await app().request('/v1/users/42', { method: 'DELETE' });
    expect(user.status).toBe(405);
    expect(user.headers.get('allow')).toBe('GET, HEAD, PUT');
  });

  it('merges the methods of every module whose routes match the path', async () => {
    const res = await app().request('/v1/users/me', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST, PUT');
    // The same merge whichever module comes first.
    const reversed = await app((modules) => modules.reverse().map(answerWrongMethods)).request('/v1/users/me', { method: 'DELETE' });
    expect(reversed.headers.get('allow')).toBe('GET, HEAD, POST, PUT');
  });

  it('leaves routed answers alone: right methods, a 404 of a route, errors, and unknown paths', async () => {
    const hono = app();
    expect(await (await hono.request('/v1/queue', { method: 'POST' })).text()).toBe('queued');
    expect((await hono.request('/v1/queue', { method: 'DELETE' })).status).toBe(204);
    // Another module's POST on a path the first module's GET pattern matches.
    expect(await (await hono.request('/v1/users/me', { method: 'POST' })).text()).toBe('me');
    const ghost = await hono.request('/v1/users/ghost');
    expect(ghost.status).toBe(404);
    expect(await ghost.json()).toEqual({ code: 'user-not-found' });
    expect((await hono.request('/v1/fail')).status).toBe(503);
    const unknown = await hono.request('/v1/nothing', { method: 'PUT' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('allow')).toBeNull();
    expect((await problem(unknown)).code).toBe('not-found');
  });

  it('keeps the headers middleware set around it', async () => {
    const res = await app().request('/v1/queue');
    expect(res.status).toBe(405);
    expect(res.headers.get('x-request-id')).toBe('r-1');
  });

  it('answers 404 as before without it', async () => {
    const res = await app((modules) => modules).request('/v1/queue');
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
  });

  it('works on a whole app too, wired once after its routes', async () => {
    const hono = new Hono().get('/a', (c) => c.text('a')).post('/b', (c) => c.text('b'));
    hono.notFound(notFound);
    answerWrongMethods(hono);
    const res = await hono.request('/a', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await (await hono.request('/b', { method: 'POST' })).text()).toBe('b');
    expect((await hono.request('/c')).status).toBe(404);
  });
});

describe('routeMethods', () => {
  it('collects the methods of every route matching a path, ignoring middleware', () => {
    const methodsAt = routeMethods([
      { method: 'ALL', path: '/*' },
      { method: 'POST', path: '/v1/queue' },
      { method: 'DELETE', path: '/v1/queue' },
      { method: 'GET', path: '/v1/items/:id' },
      { method: 'PATCH', path: '/v1/items/:id' },
    ]);
    expect([...methodsAt('/v1/queue')].sort()).toEqual(['DELETE', 'POST']);
    expect([...methodsAt('/v1/items/7')].sort()).toEqual(['GET', 'HEAD', 'PATCH']);
    expect(methodsAt('/v1/other').size).toBe(0);
  });
});
