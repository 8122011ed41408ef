import { createRoute } from '@hono/zod-openapi';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createErrorHandler } from './errors.ts';
import { answerWrongMethods } from './method-not-allowed.ts';
import { BODY_REFUSALS, auditResponses, json, jsonBody, openApiApp, problems, requireJson, serveDocs, type Undocumented } from './openapi.ts';
import { Problem } from './problem.ts';

function sample(findings: Undocumented[] = []) {
  const app = openApiApp();
  let document: Record<string, unknown> = {};
  app.use('*', auditResponses(() => document, (finding) => findings.push(finding)));
  app.onError(createErrorHandler({ log: () => {} }));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/things/{id}',
      request: { params: z.object({ id: z.string().regex(/^[a-z]+$/) }), body: jsonBody(z.object({ n: z.number().int() })) },
      middleware: [requireJson] as const,
      responses: { 200: json(z.object({ id: z.string(), n: z.number() }), 'The thing'), ...problems({ ...BODY_REFUSALS, 409: { taken: 'Someone has it.' } }) },
    }),
    (c) => {
      const { n } = c.req.valid('json');
      if (n === 7) throw new Problem(409, 'taken', 'Taken');
      // Not in the document: the audit must say so.
      if (n === 8) throw new Problem(409, 'gone', 'Gone');
      if (n === 9) throw new Problem(418, 'teapot', 'Teapot');
      return c.json({ id: c.req.valid('param').id, n }, 200);
    },
  );
  serveDocs(app, { title: 'Sample', version: '1.2.3', description: 'A sample' });
  // Its catch-all middleware comes after the routes: the audit must still find the one that answered.
  answerWrongMethods(app);
  document = (app as unknown as { getOpenAPI31Document: (o: object) => Record<string, unknown> }).getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'x', version: '1' } });
  return app;
}

const post = (app: ReturnType<typeof sample>, body: string, path = '/v1/things/abc', type = 'application/json') =>
  app.request(path, { method: 'POST', body, headers: { 'content-type': type } });

describe('routes declared with createRoute', () => {
  it('validate with the declared schemas and refuse as problem+json with stable codes', async () => {
    const app = sample();
    expect((await post(app, '{"n":1}')).status).toBe(200);
    const bad = await post(app, '{"n":1.5}');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(await bad.json()).toMatchObject({ code: 'invalid-request', detail: expect.stringContaining('n') });
    expect(await (await post(app, '{"n":1}', '/v1/things/ABC')).json()).toMatchObject({ code: 'invalid-request', detail: expect.stringContaining('id') });
    expect(await (await post(app, '{"n":')).json()).toMatchObject({ status: 400, code: 'malformed-json' });
    expect(await (await post(app, 'n=1', '/v1/things/abc', 'text/plain')).json()).toMatchObject({ status: 415, code: 'unsupported-media-type' });
  });

  it('refuse a body not labelled application/json with 415, and take it with parameters and in any case', async () => {
    const app = sample();
    for (const type of ['', 'text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json']) {
      const res = await post(app, '{"n":1}', '/v1/things/abc', type);
      expect(res.status, type).toBe(415);
      expect(await res.json()).toMatchObject({ code: 'unsupported-media-type', detail: 'the request body must be sent as application/json' });
    }
    for (const type of ['application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
      expect((await post(app, '{"n":1}', '/v1/things/abc', type)).status, type).toBe(200);
    }
  });

  it('serve a document that validates against the OpenAPI 3.1 schema, with version, servers and every refusal code', async () => {
    const app = sample();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document walked by path in assertions
    const document = (await (await app.request('/openapi.json')).json()) as Record<string, any>;
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.info.version).toBe('1.2.3');
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    const responses = document.paths['/v1/things/{id}'].post.responses;
    expect(Object.keys(responses).sort()).toEqual(['200', '400', '409', '413', '415', '500']);
    expect(responses['409'].content['application/problem+json'].schema.properties.code.enum).toEqual(['taken']);
    expect(responses['400'].content['application/problem+json'].schema.properties.code.enum).toEqual(['invalid-request', 'malformed-json']);
  });

  it('flag a status or problem code the document does not list, and nothing else', async () => {
    const findings: Undocumented[] = [];
    const app = sample(findings);
    await post(app, '{"n":1}');
    await post(app, '{"n":7}');
    await post(app, '{"n":"x"}');
    await app.request('/nowhere');
    expect((await app.request('/v1/things/abc')).status).toBe(405);
    expect(findings).toEqual([]);
    await post(app, '{"n":8}');
    await post(app, '{"n":9}');
    expect(findings).toEqual([
      { method: 'post', path: '/v1/things/{id}', status: 409, code: 'gone' },
      { method: 'post', path: '/v1/things/{id}', status: 418, code: 'teapot' },
    ]);
  });

  it('serve the reference page and its script from the service itself, no CDN', async () => {
    const app = sample();
    const page = await (await app.request('/docs')).text();
    expect(page).toContain('/docs/reference.js');
    expect(page).toContain('/openapi.json');
    expect(page).not.toMatch(/https?:\/\/(?!localhost)[^"'\s]*\.(js|css)/);
    const script = await app.request('/docs/reference.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });
});
