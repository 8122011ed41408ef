import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Problem, type Undocumented } from '@ticketbooth/http';
import { KeyRing } from '@ticketbooth/tickets';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, bearer, createTestIssuer, jsonRequest, signUp, type TestIssuer } from './testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema: { properties?: { code?: { enum?: string[] } } } }> }>;
}
interface Document {
  info: { version: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, { properties?: Record<string, { maxLength?: number }>; required?: string[] }> };
}

async function served(): Promise<Document> {
  const res = await issuer.app.request('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('public, max-age=300');
  return (await res.json()) as Document;
}

function operations(document: Document): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]));
}

// Pages for people (the reference, the dashboard) are not API operations.
const isDocs = (path: string) => path === '/openapi.json' || /^\/(docs|dashboard)(\/|$)/.test(path);

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, versioned as the package, naming its server', async () => {
    issuer = createTestIssuer();
    const document = await served();
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(document.info.version).toBe(version);
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('documents every route the app has, under its method, and no other', async () => {
    issuer = createTestIssuer();
    const routed = issuer.app.routes
      .filter((r) => r.method !== 'ALL' && !isDocs(r.path))
      .map((r) => `${r.method} ${r.path.replaceAll(/:(\w+)/g, '{$1}')}`);
    const documented = operations(await served()).map(([name]) => name);
    expect(routed.length).toBeGreaterThan(20);
    expect([...new Set(routed)].sort()).toEqual(documented.sort());
  });

  it('lists 500 on every operation, and the problem codes of every refusal', async () => {
    issuer = createTestIssuer();
    for (const [name, op] of operations(await served())) {
      expect(Object.keys(op.responses), name).toContain('500');
      for (const [status, response] of Object.entries(op.responses).filter(([status]) => !status.startsWith('2'))) {
        const codes = response.content?.['application/problem+json']?.schema.properties?.code?.enum;
        expect(codes?.length, `${name} ${status}`).toBeGreaterThan(0);
      }
    }
  });

  it('names a security scheme it defines for each guarded route', async () => {
    issuer = createTestIssuer();
    const document = await served();
    const guarded = operations(document).filter(([, op]) => op.security !== undefined);
    expect(guarded.map(([name]) => name)).toEqual(expect.arrayContaining(['POST /v1/tickets', 'POST /v1/results', 'POST /v1/admin/users/{id}/ban']));
    for (const [name, op] of guarded) {
      for (const scheme of op.security!.flatMap(Object.keys)) expect(document.components.securitySchemes, name).toHaveProperty(scheme);
    }
  });

  it('shows request bodies as the schemas that validate them', async () => {
    issuer = createTestIssuer();
    const { schemas } = (await served()).components;
    expect(schemas.TicketRequest?.required).toEqual(['mode', 'region']);
    expect(schemas.TicketRequest?.properties?.previousTicket?.maxLength).toBe(8192);
    expect(schemas.JoinPartyRequest?.required).toEqual(['invite']);
  });
});

describe('the response audit route tests run with', () => {
  it('reports a routed response the document does not list, and nothing a route did not answer', async () => {
    const findings: Undocumented[] = [];
    // No matchmaker keys loaded yet, and asking for them fails in a way no route documents.
    const matchKeys = {
      ring: new KeyRing(),
      refetchForUnknownKid: async () => {
        throw new Problem(418, 'teapot', 'Not a documented refusal');
      },
    };
    issuer = createTestIssuer({ matchKeys, onUndocumented: (finding) => findings.push(finding) });
    const created = await issuer.app.request('/v1/admin/game-servers', jsonRequest('POST', { name: 'eu-gs-1' }, bearer(TEST_ADMIN_TOKEN)));
    const { secret } = (await created.json()) as { secret: string };
    // Answered by /v1/parties/current, though /v1/parties/{id} (where 404 not-in-party is not listed) matches it too.
    const { token } = await signUp(issuer, 'alice');
    expect((await issuer.app.request('/v1/parties/current', { headers: bearer(token) })).status).toBe(404);
    await issuer.app.request('/v1/tickets', { method: 'PATCH' });
    await issuer.app.request('/v1/nothing');
    expect(findings).toEqual([]);

    const res = await issuer.app.request('/v1/results', jsonRequest('POST', { match: 'm', ranks: [1, 2] }, bearer(secret)));
    expect(res.status).toBe(418);
    expect(findings).toEqual([{ method: 'post', path: '/v1/results', status: 418, code: 'teapot' }]);
  });
});

describe('GET /docs', () => {
  it('answers the reference page, whose script the issuer serves too', async () => {
    issuer = createTestIssuer();
    const page = await issuer.app.request('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('/docs/reference.js');
    expect(html).toContain('/openapi.json');
    const script = await issuer.app.request('/docs/reference.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
  });
});
