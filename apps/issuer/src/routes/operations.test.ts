import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestIssuer, jsonRequest, signUp, type TestIssuer } from '../testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

describe('operations', () => {
  it('answers /healthz and /readyz', async () => {
    issuer = createTestIssuer();
    expect(await (await issuer.app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await issuer.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('reports not ready when the database is gone', async () => {
    issuer = createTestIssuer();
    await issuer.store.close();
    const res = await issuer.app.request('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('not-ready');
  });

  it('exposes Prometheus metrics: logins by outcome, tickets issued, latency by route', async () => {
    issuer = createTestIssuer();
    const { token } = await signUp(issuer, 'alice', 'correct horse');
    await issuer.app.request('/v1/sessions', jsonRequest('POST', { username: 'alice', password: 'wrong horse' }));
    await issuer.app.request('/v1/tickets', jsonRequest('POST', { mode: 'duel', region: 'eu' }, bearer(token)));
    const res = await issuer.app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('ticketbooth_issuer_logins_total{outcome="ok"} 1');
    expect(text).toContain('ticketbooth_issuer_logins_total{outcome="invalid_credentials"} 1');
    expect(text).toContain('ticketbooth_issuer_tickets_issued_total{mode="duel",region="eu"} 1');
    expect(text).toMatch(/ticketbooth_issuer_http_request_duration_seconds_count\{method="POST",route="\/v1\/tickets",status="200"\} 1/);
  });

  it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
    issuer = createTestIssuer();
    const res = await issuer.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, { maxLength?: number }>; required?: string[] }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/accounts', '/v1/sessions', '/v1/tickets', '/v1/keys', '/v1/revocations']));
    expect(doc.components.schemas.TicketRequest?.required).toEqual(['mode', 'region']);
    expect(doc.components.schemas.TicketRequest?.properties?.previousTicket?.maxLength).toBe(8192);
    expect(doc.components.schemas.JoinPartyRequest?.required).toEqual(['invite']);
    // Every route the app serves is documented, under its method.
    const documented = doc.paths as Record<string, Record<string, unknown>>;
    for (const { method, path } of issuer.app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/openapi.json')) {
      const templated = path.replaceAll(/:(\w+)/g, '{$1}');
      expect(documented[templated]?.[method.toLowerCase()], `${method} ${templated}`).toBeDefined();
    }
  });

  it('answers unknown routes with 404 problem+json', async () => {
    issuer = createTestIssuer();
    const res = await issuer.app.request('/v1/nothing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
