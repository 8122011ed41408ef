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

  it('answers unknown routes with 404 problem+json', async () => {
    issuer = createTestIssuer();
    const res = await issuer.app.request('/v1/nothing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
