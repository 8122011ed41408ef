import { createRoute } from '@hono/zod-openapi';
import { TicketError } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createErrorHandler, notFound } from './errors.ts';
import { Problem } from './problem.ts';
import { json, jsonBody, openApiApp, requireJson } from './openapi.ts';
import { bearerToken, limitBody } from './validate.ts';

function app() {
  const logged: unknown[] = [];
  const hono = openApiApp();
  hono.onError(createErrorHandler({ log: (e) => logged.push(e) }));
  hono.notFound(notFound);
  const thing = z.object({ name: z.string().min(1) });
  hono.openapi(
    createRoute({ method: 'post', path: '/things', middleware: [limitBody(64), requireJson], request: { body: jsonBody(thing) }, responses: { 200: json(thing, 'The thing') } }),
    (c) => c.json(c.req.valid('json'), 200),
  );
  hono.get('/teapot', () => {
    throw new Problem(418, 'teapot', 'I am a teapot', 'short and stout', { 'retry-after': '3' });
  });
  hono.get('/ticket', (c) => c.text(bearerToken(c.req.header('authorization'))));
  hono.get('/expired', () => {
    throw new TicketError('expired', 'token expired');
  });
  hono.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  return { hono, logged };
}

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Record<string, unknown>;
}

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => ({
  method: 'POST',
  body,
  headers,
});

describe('problem+json errors', () => {
  it('writes a thrown Problem with its status, code, type and headers', async () => {
    const res = await app().hono.request('/teapot');
    expect(res.status).toBe(418);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await problem(res)).toEqual({
      type: '/problems/teapot',
      title: 'I am a teapot',
      status: 418,
      code: 'teapot',
      detail: 'short and stout',
    });
  });

  it('maps a TicketError to 401 carrying its code', async () => {
    const res = await app().hono.request('/expired');
    expect(res.status).toBe(401);
    expect(await problem(res)).toMatchObject({ type: '/problems/expired', code: 'expired' });
  });

  it('hides unexpected errors behind a generic 500 and logs them', async () => {
    const { hono, logged } = app();
    const res = await hono.request('/boom');
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(body.code).toBe('internal');
    expect(logged).toHaveLength(1);
  });

  it('answers unknown routes with 404 problem+json', async () => {
    const res = await app().hono.request('/nope');
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe('not-found');
  });
});

describe('request validation', () => {
  it('passes a valid body through', async () => {
    const res = await app().hono.request('/things', post('{"name":"x"}'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'x' });
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await app().hono.request('/things', post('{"name":'));
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe('malformed-json');
  });

  it('refuses a body that fails the schema with 400 naming the field', async () => {
    const res = await app().hono.request('/things', post('{"name":""}'));
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.code).toBe('invalid-request');
    expect(body.detail).toContain('name');
  });

  it('refuses an oversized body with 413', async () => {
    const res = await app().hono.request('/things', post(JSON.stringify({ name: 'x'.repeat(200) })));
    expect(res.status).toBe(413);
    expect((await problem(res)).code).toBe('body-too-large');
  });

  it('requires a bearer token of bounded size', async () => {
    const { hono } = app();
    expect((await problem(await hono.request('/ticket'))).code).toBe('missing-token');
    const huge = await hono.request('/ticket', { headers: { authorization: `Bearer ${'a'.repeat(9000)}` } });
    expect(huge.status).toBe(401);
    expect((await problem(huge)).code).toBe('too-large');
    const ok = await hono.request('/ticket', { headers: { authorization: 'Bearer abc' } });
    expect(await ok.text()).toBe('abc');
  });
});
