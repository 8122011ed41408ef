import { afterEach, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

describe('GET /v1/keys', () => {
  it('publishes the verification keys as PASERK with kid and validity, cacheable', async () => {
    issuer = createTestIssuer();
    const res = await issuer.app.request('/v1/keys');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const body = (await res.json()) as { keys: Record<string, string>[] };
    expect(body.keys).toEqual([
      { kid: issuer.keys.signingKey().kid, public: issuer.keys.signingKey().publicPaserk, notBefore: '2030-01-01T00:00:00.000Z' },
    ]);
    expect(JSON.stringify(body)).not.toContain('k4.secret');
  });
});

describe('GET /v1/modes', () => {
  it('lists the modes (with the largest party each allows) and regions a client may ask for', async () => {
    issuer = createTestIssuer();
    const res = await issuer.app.request('/v1/modes');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      modes: [
        { name: 'duel', teams: 2, teamSize: 1, minTeamSize: 1, maxPartySize: 1, latency: null, attributes: { equal: [], intersect: [] } },
        { name: 'squad', teams: 2, teamSize: 4, minTeamSize: 4, maxPartySize: 4, latency: null, attributes: { equal: [], intersect: [] } },
      ],
      regions: ['eu', 'na'],
      attributes: {},
    });
  });
});
