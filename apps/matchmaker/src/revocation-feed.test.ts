import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { KeyRing, createSigningKey, generateSeed, signToken, toPasetoDate, type SigningKey } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { T0, createHarness, problemOf } from '../test/support.ts';
import { FEED_MAX_AGE_MS, FEED_OVERLAP_MS, createRevocationFeed, nextPollDelay, type Fetch } from './revocation-feed.ts';

const shared = parseSharedConfig({ ...DEMO_CONFIG, ticketTtlMs: 60_000, resubmitIntervalMs: 1_000 });
const PAGE = 3;

/**
 * The issuer's side of the feed contract, as apps/issuer/src/routes/revocations.ts
 * serves it: entries with notBefore >= since (clamped to the still-relevant window),
 * ordered, paged, signed as a `revocations` token.
 */
function feedServer(key: SigningKey, clock: () => number) {
  const entries: Array<{ sub: string; notBefore: number }> = [];
  const asked: Array<string | null> = [];
  let down = false;
  let tamper: ((claims: Record<string, unknown>) => Record<string, unknown>) | undefined;
  let jti = 0;
  const fetch: Fetch = async (input) => {
    if (down) throw new TypeError('fetch failed');
    const url = new URL(input);
    const since = url.searchParams.get('since');
    asked.push(since);
    const now = clock();
    const from = Math.min(now, Math.max(since === null ? -Infinity : Number(since), now - shared.ticketTtlMs - 60_000));
    const rows = entries.filter((e) => e.notBefore >= from).sort((a, b) => a.notBefore - b.notBefore);
    const claims = {
      iss: shared.issuer,
      sub: 'revocations',
      aud: shared.audiences.revocations,
      iat: toPasetoDate(now),
      exp: toPasetoDate(now + 60_000),
      jti: `feed-${++jti}`,
      since: toPasetoDate(from),
      entries: rows.slice(0, PAGE).map((r) => ({ sub: r.sub, notBefore: toPasetoDate(r.notBefore) })),
    };
    const token = signToken(key, 'revocations', (tamper?.(claims) ?? claims) as typeof claims);
    return Response.json({ token, expiresAt: claims.exp, complete: rows.length <= PAGE });
  };
  return {
    fetch,
    asked,
    ban: (sub: string, notBefore = clock()) => entries.push({ sub, notBefore }),
    setDown: (value: boolean) => (down = value),
    setTamper: (fn: typeof tamper) => (tamper = fn),
  };
}

function setup() {
  let clock = T0;
  const issuerKey = createSigningKey(generateSeed());
  const ring = new KeyRing({ verification: [] });
  ring.setSigningKey(issuerKey);
  const server = feedServer(issuerKey, () => clock);
  const revoked: Array<[string, number]> = [];
  let refetches = 0;
  let onRefetch: () => boolean = () => false;
  const feed = createRevocationFeed({
    issuerUrl: 'http://issuer.test',
    shared,
    keys: {
      ring,
      refetchForUnknownKid: async () => {
        refetches++;
        return onRefetch();
      },
    },
    revoke: (sub, notBefore) => revoked.push([sub, notBefore]),
    now: () => clock,
    fetch: server.fetch,
  });
  return {
    feed,
    server,
    ring,
    revoked,
    advance: (ms: number) => (clock += ms),
    now: () => clock,
    refetches: () => refetches,
    onRefetch: (fn: () => boolean) => (onRefetch = fn),
  };
}

describe('revocation feed', () => {
  it('applies every entry, then asks from shortly before its last answer was signed', async () => {
    const s = setup();
    s.server.ban('mallory', T0 - 5_000);
    expect(s.feed.status().loaded).toBe(false);
    expect(await s.feed.poll()).toBe(1);
    expect(s.revoked).toEqual([['mallory', T0 - 5_000]]);
    expect(s.feed.status()).toMatchObject({ loaded: true, lastSuccessAt: T0, failures: 0 });
    s.advance(2_000);
    s.server.ban('eve');
    await s.feed.poll();
    expect(s.server.asked).toEqual([null, String(T0 - FEED_OVERLAP_MS)]);
    // Repeats inside the overlap are harmless: revocations keep the latest notBefore.
    expect(s.revoked.map(([sub]) => sub)).toEqual(['mallory', 'mallory', 'eve']);
  });

  it('follows incomplete pages from the last notBefore it received', async () => {
    const s = setup();
    for (let i = 0; i < 7; i++) s.server.ban(`p${i}`, T0 - 10_000 + i);
    expect(await s.feed.poll()).toBe(9); // 3 + 3 + 3: `since` is inclusive, so each page repeats one entry
    expect(new Set(s.revoked.map(([sub]) => sub)).size).toBe(7);
    expect(s.server.asked).toEqual([null, String(T0 - 10_000 + 2), String(T0 - 10_000 + 4)]);
  });

  it('refuses a page that cannot make progress instead of looping', async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) s.server.ban(`p${i}`, T0 - 1_000);
    await expect(s.feed.poll()).rejects.toThrow(/no progress/);
    expect(s.server.asked).toEqual([null, String(T0 - 1_000)]);
    expect(s.feed.status()).toMatchObject({ loaded: false, failures: 1 });
  });

  it('keeps what it knows and counts failures while the issuer is unreachable', async () => {
    const s = setup();
    s.server.ban('mallory');
    await s.feed.poll();
    s.server.setDown(true);
    s.advance(5_000);
    await expect(s.feed.poll()).rejects.toThrow(/fetch failed/);
    await expect(s.feed.poll()).rejects.toThrow();
    expect(s.feed.status()).toMatchObject({ loaded: true, lastSuccessAt: T0, failures: 2, consecutiveFailures: 2 });
    s.server.setDown(false);
    s.server.ban('eve');
    await s.feed.poll();
    expect(s.feed.status()).toMatchObject({ lastSuccessAt: T0 + 5_000, failures: 2, consecutiveFailures: 0 });
    expect(s.revoked.map(([sub]) => sub)).toContain('eve');
  });

  it('refuses answers signed for another audience, replayed, or starting later than asked', async () => {
    const s = setup();
    s.server.ban('mallory');
    s.server.setTamper((c) => ({ ...c, aud: 'someone-else' }));
    await expect(s.feed.poll()).rejects.toMatchObject({ code: 'wrong_audience' });
    s.server.setTamper((c) => ({ ...c, iat: toPasetoDate(T0 - FEED_MAX_AGE_MS - 1) }));
    await expect(s.feed.poll()).rejects.toThrow(/stale/);
    s.server.setTamper(undefined);
    await s.feed.poll();
    s.advance(2_000);
    s.server.setTamper((c) => ({ ...c, since: toPasetoDate(T0 + 1_000) }));
    await expect(s.feed.poll()).rejects.toThrow(/later than asked/);
    expect(s.revoked).toEqual([['mallory', T0]]);
    expect(s.feed.status().failures).toBe(3);
  });

  it('refuses a ticket token served as the feed', async () => {
    const s = setup();
    const ticketFetch: Fetch = async () =>
      Response.json({
        token: signToken(s.ring.signingKey(), 'ticket', {
          iss: shared.issuer,
          sub: 'x',
          aud: shared.audiences.ticket,
          iat: toPasetoDate(T0),
          exp: toPasetoDate(T0 + 1_000),
          jti: 'j',
          pool: { mode: 'duel', region: 'eu' },
          rating: 1,
          queuedAt: toPasetoDate(T0),
        }),
        expiresAt: toPasetoDate(T0 + 1_000),
        complete: true,
      });
    const feed = createRevocationFeed({
      issuerUrl: 'http://issuer.test',
      shared,
      keys: { ring: s.ring, refetchForUnknownKid: async () => false },
      revoke: () => undefined,
      now: s.now,
      fetch: ticketFetch,
    });
    await expect(feed.poll()).rejects.toMatchObject({ code: 'wrong_purpose' });
  });

  it('looks the keys up again once when the feed is signed by a key it does not know yet', async () => {
    const s = setup();
    const kid = s.ring.signingKey().kid;
    const key = s.ring.get(kid)!;
    s.ring.remove(kid);
    s.server.ban('mallory');
    await expect(s.feed.poll()).rejects.toMatchObject({ code: 'unknown_key' });
    expect(s.refetches()).toBe(1);
    s.onRefetch(() => {
      s.ring.add(key);
      return true;
    });
    await s.feed.poll();
    expect(s.refetches()).toBe(2);
    expect(s.revoked).toEqual([['mallory', T0]]);
  });
});

describe('nextPollDelay', () => {
  it('polls every interval, backs off by doubling after failures, up to the cap', () => {
    expect(nextPollDelay(2_000, 0, 10_000)).toBe(2_000);
    expect(nextPollDelay(2_000, 1, 10_000)).toBe(4_000);
    expect(nextPollDelay(2_000, 2, 10_000)).toBe(8_000);
    expect(nextPollDelay(2_000, 3, 10_000)).toBe(10_000);
    expect(nextPollDelay(2_000, 1_000, 10_000)).toBe(10_000);
    expect(nextPollDelay(20_000, 5, 10_000)).toBe(20_000);
  });
});

describe('a matchmaker with a revocation feed', () => {
  it('is ready only once the feed loaded, drops revoked queued players at once and refuses their tickets', async () => {
    let serverFetch: Fetch = () => Promise.reject(new TypeError('not yet'));
    const h = createHarness({}, shared, { revocationFeed: { issuerUrl: 'http://issuer.test', fetch: (input, init) => serverFetch(input, init) } });
    const server = feedServer(h.issuerKey, h.now);
    serverFetch = server.fetch;
    const feed = h.matchmaker.revocationFeed!;

    const notReady = await h.app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(await problemOf(notReady)).toMatchObject({ code: 'not-ready', detail: 'revocation feed not loaded yet' });
    expect(await (await h.app.request('/metrics')).text()).toContain('ticketbooth_matchmaker_revocation_feed_age_seconds +Inf');

    const ticket = h.ticket('mallory');
    expect((await h.submit(ticket)).status).toBe(200);
    expect((await h.submit(h.ticket('alice'))).status).toBe(200);
    h.advance(1);
    server.ban('mallory');
    await feed.poll();
    expect((await h.app.request('/readyz')).status).toBe(200);
    expect(h.matchmaker.queued('mallory')).toBeUndefined();
    expect(h.matchmaker.queued('alice')).toBeDefined();
    const refused = await h.submit(ticket);
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).code).toBe('revoked');

    // A party that carries the revoked player is refused too.
    const party = await h.submit(h.ticket('bob', { mode: 'squad', party: [{ sub: 'mallory', rating: 1500 }], issuedAt: h.now() - 1 }));
    expect(party.status).toBe(403);

    h.advance(3_000);
    server.setDown(true);
    await feed.poll().catch(() => undefined);
    const metrics = await (await h.app.request('/metrics')).text();
    expect(metrics).toContain('ticketbooth_matchmaker_revocation_feed_age_seconds 3');
    expect(metrics).toContain('ticketbooth_matchmaker_revocation_feed_failures_total 1');
    expect(metrics).toContain('ticketbooth_matchmaker_revocations_held 1');
    expect(metrics).toContain('ticketbooth_matchmaker_entries_dropped_total{reason="revoked"} 1');
    // Still serving: an unreachable issuer does not make the matchmaker unready once the feed loaded.
    expect((await h.app.request('/readyz')).status).toBe(200);
    // Tickets issued after the ban are accepted (an unban, or a ticket reissued after it lifted).
    expect((await h.submit(h.ticket('mallory'))).status).toBe(200);
  });
});
