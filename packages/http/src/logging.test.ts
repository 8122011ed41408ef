import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createErrorHandler } from './errors.ts';
import { createLogger, requestIdOf, requestLogging } from './logging.ts';

/** A logger whose JSON lines land in `lines`. */
function captured() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('svc', { level: 'info', destination }) };
}

function app(log: ReturnType<typeof captured>['log'], answered: unknown[] = []) {
  const hono = new Hono()
    .use(
      '*',
      ...requestLogging(log, {
        quiet: (method, path) => method === 'POST' && path.startsWith('/hot'),
        sampleEvery: 3,
        onAnswered: (...args) => answered.push(args),
      }),
    )
    .post('/hot', (c) => c.json({ ok: true }))
    .post('/hot/fail', () => {
      throw new Error('boom');
    })
    .post('/hot/busy', (c) => c.json({ code: 'at-capacity' }, 503))
    .get('/items/:id', (c) => c.json({ id: c.req.param('id') }));
  hono.onError(createErrorHandler({ log: (error, c) => log.error({ err: error, reqId: requestIdOf(c) }, 'unexpected error') }));
  return hono;
}

describe('requestLogging', () => {
  it('logs each request once, as JSON with service, level, request id, method, path, status and duration', async () => {
    const { lines, log } = captured();
    const answered: unknown[] = [];
    const res = await app(log, answered).request('/items/7', { headers: { 'x-request-id': 'abc-1' } });
    expect(res.headers.get('x-request-id')).toBe('abc-1');
    expect(lines).toEqual([
      expect.objectContaining({ service: 'svc', level: 'info', msg: 'request', reqId: 'abc-1', method: 'GET', path: '/items/7', status: 200, ms: expect.any(Number) }),
    ]);
    // Metrics get the route pattern, not the path: one series per route.
    expect(answered).toEqual([['GET', '/items/:id', 200, expect.any(Number)]]);
  });

  it('gives a request without a usable id a new one, and echoes it', async () => {
    const { lines, log } = captured();
    const res = await app(log).request('/items/1', { headers: { 'x-request-id': 'has spaces and "quotes"' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[0]).toMatchObject({ reqId: id });
  });

  it('counts a quiet path without logging it, but for one sample in N and every 5xx but 503, which carry the request id', async () => {
    const { lines, log } = captured();
    const answered: unknown[] = [];
    const hono = app(log, answered);
    for (let i = 0; i < 7; i++) expect((await hono.request('/hot', { method: 'POST' })).status).toBe(200);
    expect(answered).toHaveLength(7);
    expect(lines).toEqual([expect.objectContaining({ path: '/hot', sampled: 3 }), expect.objectContaining({ path: '/hot', sampled: 3 })]);
    lines.length = 0;
    // A 503 there (busy, at capacity) comes as often as the requests: counted, not logged.
    for (let i = 0; i < 2; i++) expect((await hono.request('/hot/busy', { method: 'POST' })).status).toBe(503);
    expect(lines.filter((line) => line.sampled === undefined)).toEqual([]);
    lines.length = 0;
    const failed = await hono.request('/hot/fail', { method: 'POST', headers: { 'x-request-id': 'fail-1' } });
    expect(failed.status).toBe(500);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', reqId: 'fail-1', msg: 'unexpected error', err: expect.objectContaining({ message: 'boom' }) }),
      expect.objectContaining({ level: 'error', reqId: 'fail-1', msg: 'request failed', status: 500 }),
    ]);
  });
});
