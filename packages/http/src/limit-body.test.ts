import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createErrorHandler } from './errors.ts';
import { limitBody } from './validate.ts';

function echoApp() {
  const app = new Hono();
  app.onError(createErrorHandler({ log: () => undefined }));
  app.use('*', limitBody(16));
  app.post('/', async (c) => c.text(await c.req.text()));
  return app;
}

describe('limitBody', () => {
  it('answers 413 problem+json from a declared Content-Length past the limit, before reading the body', async () => {
    const res = await echoApp().request('/', { method: 'POST', body: 'x'.repeat(17), headers: { 'content-length': '17' } });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'body-too-large', detail: 'at most 16 bytes' });
  });

  it('passes a declared body within the limit, unread', async () => {
    const res = await echoApp().request('/', { method: 'POST', body: 'x'.repeat(16), headers: { 'content-length': '16' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('x'.repeat(16));
  });

  it('counts a body without a declared size as it streams in', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('x'.repeat(10)));
        controller.enqueue(new TextEncoder().encode('x'.repeat(10)));
        controller.close();
      },
    });
    const res = await echoApp().request('/', { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'body-too-large' });
  });
});
