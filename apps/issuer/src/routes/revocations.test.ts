import { createVerifier, toPasetoDate } from '@ticketbooth/tickets';
import { afterEach, describe, expect, it } from 'vitest';
import { T0, createTestIssuer, signUp, type TestIssuer } from '../testing.ts';
import { REVOCATION_MARGIN_MS } from './revocations.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

function feedVerifier() {
  return createVerifier({
    keys: issuer.keys,
    purpose: 'revocations',
    issuer: 'ticketbooth-issuer',
    audience: issuer.shared.audiences.revocations,
    maxLifetimeMs: 5 * 60_000,
    now: issuer.now,
  });
}

async function feed(query = '') {
  const res = await issuer.app.request(`/v1/revocations${query}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { token: string; complete: boolean };
  return { ...feedVerifier().verify(body.token).claims, complete: body.complete };
}

describe('GET /v1/revocations', () => {
  it('returns a signed feed of bans since a time, within the still-relevant window', async () => {
    issuer = createTestIssuer();
    const a = await signUp(issuer, 'alice');
    const b = await signUp(issuer, 'bob');
    await issuer.store.banUser(a.id, 'x', T0);
    issuer.advance(60_000);
    await issuer.store.banUser(b.id, 'y', T0 + 60_000);

    const all = await feed();
    expect(all.entries).toEqual([
      { sub: a.id, notBefore: toPasetoDate(T0) },
      { sub: b.id, notBefore: toPasetoDate(T0 + 60_000) },
    ]);
    expect(all.complete).toBe(true);
    expect(all.since).toBe(toPasetoDate(T0 + 60_000 - 5 * 60_000 - REVOCATION_MARGIN_MS));

    expect((await feed(`?since=${T0 + 1}`)).entries.map((e) => e.sub)).toEqual([b.id]);
    expect((await feed(`?since=${encodeURIComponent(toPasetoDate(T0 + 60_000))}`)).entries.map((e) => e.sub)).toEqual([b.id]);

    // Once every ticket issued before a ban has expired (plus margin), the entry is no longer sent.
    issuer.advance(5 * 60_000 + REVOCATION_MARGIN_MS - 60_000 + 1);
    expect((await feed('?since=0')).entries.map((e) => e.sub)).toEqual([b.id]);

    // A `since` in the future reads as now: nothing yet, and still a valid token.
    const future = await feed('?since=999999999999999');
    expect(future.entries).toEqual([]);
    expect(future.since).toBe(toPasetoDate(issuer.now()));
  });

  it('refuses a since that is not a time', async () => {
    issuer = createTestIssuer();
    const res = await issuer.app.request('/v1/revocations?since=yesterday');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('invalid-request');
  });
});
