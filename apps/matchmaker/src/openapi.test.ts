// GET /openapi.json is built from the routes: valid OpenAPI 3.1, every route in it and nothing
// else, every refusal with its problem codes. (That every answer a route test gets is listed is
// checked by the harness: see onUndocumented in test/support.ts.)
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createHarness } from '../test/support.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document walked by path in assertions
type Document = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

async function served() {
  const h = createHarness();
  const res = await h.app.request('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/json');
  return { h, document: (await res.json()) as Document };
}

/** `METHOD /path` of every operation in the document. */
function operations(document: Document): string[] {
  return Object.entries(document.paths as Record<string, Document>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('GET /openapi.json', () => {
  it('validates against the OpenAPI 3.1 schema, with the package version and a server', async () => {
    const { document } = await served();
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(document.info.version).toBe(version);
    expect(document.servers).toEqual([expect.objectContaining({ url: expect.any(String) })]);
    expect(document.components.securitySchemes.ticket).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every route the app has, and only those', async () => {
    const { h, document } = await served();
    const routed = h.app.routes
      // Pages for people (the reference, the dashboard) are not API operations.
      .filter(({ method, path }) => method !== 'ALL' && path !== '/openapi.json' && !/^\/(docs|dashboard)(\/|$)/.test(path))
      .map(({ method, path }) => `${method} ${path.replaceAll(/:([^/]+)/g, '{$1}')}`);
    expect(operations(document).sort()).toEqual([...new Set(routed)].sort());
    // The route the fast lane answers outside the router is documented too.
    expect(operations(document)).toContain(h.lane.route);
  });

  it('lists 500 for every operation, and the problem codes of every refusal', async () => {
    const { document } = await served();
    for (const [path, item] of Object.entries(document.paths as Record<string, Document>)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        const responses = operation.responses as Record<string, Document>;
        expect(Object.keys(responses), where).toContain('500');
        for (const [status, response] of Object.entries(responses)) {
          if (status.startsWith('2')) continue;
          const codes = response.content?.['application/problem+json']?.schema?.properties?.code?.enum as string[] | undefined;
          expect(codes?.length, `${where} ${status}`).toBeGreaterThan(0);
          for (const code of codes ?? []) expect(response.description, `${where} ${status} ${code}`).toContain(`\`${code}\``);
        }
      }
    }
  });

  it('says what a search can be answered with, and why it can be refused', async () => {
    const { document } = await served();
    const codesOf = (path: string, method: string, status: number): string[] =>
      document.paths[path][method].responses[String(status)].content['application/problem+json'].schema.properties.code.enum;
    // Shapes every answer shares are components: read through their references.
    const answers = JSON.stringify(document.paths['/v1/queue'].post.responses['200'], (_key, value: unknown) =>
      typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string'
        ? document.components.schemas[(value as { $ref: string }).$ref.split('/').pop()!]
        : value,
    );
    expect(answers).not.toContain('$ref');
    for (const status of ['searching', 'proposed', 'ready', 'assigned', 'cancelled', 'timed_out']) expect(answers).toContain(`"${status}"`);
    expect(codesOf('/v1/queue', 'post', 401)).toEqual(expect.arrayContaining(['missing-token', 'expired', 'bad-signature', 'wrong-purpose']));
    expect(codesOf('/v1/queue', 'post', 409)).toEqual(['left', 'party-changed']);
    expect(codesOf('/v1/queue', 'post', 503)).toEqual(expect.arrayContaining(['at-capacity', 'busy']));
    expect(codesOf('/v1/queue/events', 'get', 404)).toEqual(['not-queued']);
    expect(codesOf('/v1/matches/current', 'post', 403)).toEqual(expect.arrayContaining(['not-in-match', 'revoked']));
    expect(codesOf('/v1/matches/accept', 'post', 409)).toEqual(expect.arrayContaining(['already-accepted', 'match-cancelled', 'match-settled', 'no-accept-step']));
    expect(document.paths['/v1/matches/current'].post.requestBody.content['application/json'].schema.required).toEqual(['match']);
    expect(document.paths['/v1/queue/events'].get.responses['200'].content).toHaveProperty('text/event-stream');
    expect(document.paths['/v1/queue'].post.security).toEqual([{ ticket: [] }]);
  });
});

describe('GET /docs', () => {
  it('answers the reference page, whose script this service serves', async () => {
    const { h } = await served();
    const page = await h.app.request('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('/docs/reference.js');
    expect(html).toContain('/openapi.json');
    const script = await h.app.request('/docs/reference.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
  });
});
