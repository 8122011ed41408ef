import { KeyRing, createSigningKey, generateSeed, signToken, toPasetoDate } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { createHarness, problemOf } from '../../test/support.ts';

type Harness = ReturnType<typeof createHarness>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = async (res: Response): Promise<any> => res.json();

/** Alice and Bob queue, warm-up passes, one tick matches them; Alice alone has polled the match. */
async function matchedDuel(h: Harness) {
  const alice = h.ticket('alice', { rating: 1510 });
  const bob = h.ticket('bob', { rating: 1490 });
  await h.submit(alice);
  await h.submit(bob);
  h.advance(2_000);
  expect(h.matchmaker.tick()).toBe(1);
  const answer = await body(await h.submit(alice));
  expect(answer.status).toBe('ready');
  return { alice, bob, match: answer.match as { id: string; token: string } };
}

/** The same matchmaker after a SIGKILL: memory gone, keys (and the wall clock) kept. */
function restarted(h: Harness, atMs = 1_000) {
  h.advance(atMs);
  return createHarness({}, undefined, { restartOf: h });
}

describe('POST /v1/matches/current', () => {
  it('answers a known match as POST /v1/queue does, and changes nothing', async () => {
    const h = createHarness();
    const { alice, match } = await matchedDuel(h);
    const res = await h.reannounce(alice, match.token);
    expect(res.status).toBe(200);
    // Bob has not polled it yet: Alice should keep presenting it.
    expect(await body(res)).toEqual({ ...(await body(await h.submit(alice))), delivered: false });
    expect(await (await h.app.request('/metrics')).text()).toMatch(/^ticketbooth_matchmaker_match_reannouncements_total\{outcome="known"\} 1$/m);
  });

  it('rebuilds a match it does not know: the member who never polled it gets it, and is matched no second time', async () => {
    const first = createHarness();
    const { alice, bob, match } = await matchedDuel(first);
    const h = restarted(first);
    // Bob never saw the match: after the restart his ticket queues him again (warm-up: no matching yet).
    expect((await body(await h.submit(bob))).status).toBe('searching');
    const res = await h.reannounce(alice, match.token);
    expect(res.status).toBe(200);
    expect((await body(res)).match).toMatchObject({ id: match.id, token: match.token });
    // Bob is out of the pool, and his next resubmission is answered with the same match.
    expect(h.matchmaker.queued('bob')).toBeUndefined();
    expect((await body(await h.submit(bob))).match).toMatchObject({ id: match.id, token: match.token });
    expect((await body(await h.submit(alice))).match.id).toBe(match.id);
    h.advance(3_000);
    expect(h.matchmaker.isWarmingUp()).toBe(false);
    expect(h.matchmaker.tick()).toBe(0);
    expect((await body(await h.submit(bob))).match.id).toBe(match.id);
    expect(await (await h.app.request('/metrics')).text()).toMatch(/^ticketbooth_matchmaker_match_reannouncements_total\{outcome="rebuilt"\} 1$/m);
  });

  it('says delivered once every member has been answered with the match, known or rebuilt', async () => {
    const first = createHarness();
    const { alice, bob, match } = await matchedDuel(first);
    expect((await body(await first.reannounce(alice, match.token))).delivered).toBe(false);
    const h = restarted(first);
    // Rebuilt: Bob has not heard of it here either.
    expect((await body(await h.reannounce(alice, match.token))).delivered).toBe(false);
    expect((await body(await h.submit(bob))).status).toBe('ready');
    expect(await body(await h.reannounce(alice, match.token))).toMatchObject({ status: 'ready', delivered: true });
    // The push counts as an answer too.
    const other = createHarness({ warmupMs: 0 });
    const [carol, dave] = [other.ticket('carol'), other.ticket('dave')];
    await other.submit(carol);
    await other.submit(dave);
    const stream = await other.app.request('/v1/queue/events', { headers: other.auth(dave) });
    other.matchmaker.tick();
    const held = (await body(await other.submit(carol))).match as { token: string };
    expect(await stream.text()).toContain('event: ready');
    expect((await body(await other.reannounce(carol, held.token))).delivered).toBe(true);
  });

  it('pulls in a member whose queuedAt reads a little after the match formed: the issuer clock runs ahead', async () => {
    const first = createHarness();
    const { alice, match } = await matchedDuel(first);
    const h = restarted(first);
    // Bob's search began before the match, but the issuer's clock says 300 ms after it.
    const bob = h.ticket('bob', { queuedAt: first.now() - 1_000 + 300 });
    await h.submit(bob);
    expect((await h.reannounce(alice, match.token)).status).toBe(200);
    expect(h.matchmaker.queued('bob')).toBeUndefined();
    expect((await body(await h.submit(bob))).match?.id).toBe(match.id);
  });

  it('rebuilds nothing for a presenter searching again, nor for a match older than a kept result', async () => {
    const first = createHarness();
    const { alice, match } = await matchedDuel(first);
    // Alice searches again with a new ticket and keeps presenting the old match: Bob still has it.
    await first.submit(first.ticket('alice', { queuedAt: first.now() }));
    expect(await body(await first.reannounce(alice, match.token))).toMatchObject({ match: { id: match.id }, delivered: false });
    expect(first.matchmaker.queued('alice')).toBeDefined();
    // After a restart, a match older than resultTtlMs is answered as delivered and not rebuilt.
    const h = restarted(first, 31_000);
    await h.submit(h.ticket('bob', { queuedAt: first.now() - 32_000 }));
    expect(await body(await h.reannounce(alice, match.token))).toMatchObject({ match: { id: match.id }, delivered: true });
    expect(h.matchmaker.queued('bob')).toBeDefined();
    expect(await (await h.app.request('/metrics')).text()).not.toMatch(/outcome="rebuilt"\} [1-9]/);
  });

  it('refuses a banned presenter, and budgets refused tokens per address as POST /v1/queue does', async () => {
    const first = createHarness({ refusals: { burst: 2, perSecond: 1, perConnection: 100, holdMs: 0 } });
    const { alice, match } = await matchedDuel(first);
    first.matchmaker.revoke('alice', first.now() + 1);
    expect((await problemOf(await first.reannounce(alice, match.token))).code).toBe('revoked');
    const [head, payload, footer] = [match.token.split('.').slice(0, 2).join('.'), match.token.split('.')[2]!, match.token.split('.')[3]!];
    const forged = `${head}.${payload.slice(0, -2)}${payload.at(-2) === 'A' ? 'B' : 'A'}${payload.at(-1)}.${footer}`;
    const bob = first.ticket('bob');
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await problemOf(await first.reannounce(bob, forged))).code);
    expect(codes).toEqual(['bad-signature', 'bad-signature', 'too-many-invalid-tickets']);
  });

  it('pulls back no member who began a new search after the match formed', async () => {
    const first = createHarness();
    const { alice, match } = await matchedDuel(first);
    const h = restarted(first);
    const bobAgain = h.ticket('bob', { queuedAt: h.now() + 5_000 });
    await h.submit(bobAgain);
    expect((await h.reannounce(alice, match.token)).status).toBe(200);
    expect(h.matchmaker.queued('bob')).toBeDefined();
    expect((await body(await h.submit(bobAgain))).status).toBe('searching');
  });

  it('accepts a presenter whose ticket expired: the match token bounds how long it is presented', async () => {
    const first = createHarness();
    const { match } = await matchedDuel(first);
    const h = restarted(first, 120_000);
    const expired = h.ticket('alice', { issuedAt: h.now() - 60_000, lifetimeMs: 30_000 });
    expect((await h.submit(expired)).status).toBe(401);
    expect((await h.reannounce(expired, match.token)).status).toBe(200);
  });

  it('refuses bad presentations with a problem and changes no other player', async () => {
    const first = createHarness();
    const { alice, bob, match } = await matchedDuel(first);
    const h = restarted(first);
    await h.submit(bob);
    const carol = h.ticket('carol');
    const stranger = new KeyRing({ signing: createSigningKey(generateSeed()) });
    const claims = {
      iss: 'ticketbooth-matchmaker',
      sub: 'm-x',
      aud: h.settings.shared.audiences.match,
      iat: toPasetoDate(h.now()),
      exp: toPasetoDate(h.now() + 60_000),
      jti: 'm-x',
      pool: { mode: 'duel', region: 'eu' },
      teams: [[{ sub: 'alice', rating: 1 }], [{ sub: 'bob', rating: 1 }]],
    };
    const [head, payload, footer] = [match.token.split('.').slice(0, 2).join('.'), match.token.split('.')[2]!, match.token.split('.')[3]!];
    const cases: Array<[string, Response | Promise<Response>, number, string]> = [
      ['forged', h.reannounce(alice, `${head}.${payload.slice(0, -2)}${payload.at(-2) === 'A' ? 'B' : 'A'}${payload.at(-1)}.${footer}`), 401, 'bad-signature'],
      ['another matchmaker', h.reannounce(alice, signToken(stranger.signingKey(), 'match', claims)), 422, 'match-not-ours'],
      ['expired', h.reannounce(alice, signToken(h.matchKeys.signingKey(), 'match', { ...claims, iat: toPasetoDate(h.now() - 120_000), exp: toPasetoDate(h.now() - 1) })), 401, 'expired'],
      ['a ticket for a match', h.reannounce(alice, alice), 401, 'wrong-purpose'],
      ['not a member', h.reannounce(carol, match.token), 403, 'not-in-match'],
      ['pool not served', h.reannounce(alice, signToken(h.matchKeys.signingKey(), 'match', { ...claims, pool: { mode: 'duel', region: 'us' } })), 422, 'pool-not-served'],
      ['no ticket', h.app.request('/v1/matches/current', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ match: match.token }) }), 401, 'missing-token'],
      ['not JSON', h.app.request('/v1/matches/current', { method: 'POST', headers: { ...h.auth(alice), 'content-type': 'application/json' }, body: '{"match":' }), 400, 'malformed-json'],
      ['no match field', h.app.request('/v1/matches/current', { method: 'POST', headers: { ...h.auth(alice), 'content-type': 'application/json' }, body: '{"token":"x"}' }), 400, 'invalid-request'],
      ['JSON not labelled so', h.app.request('/v1/matches/current', { method: 'POST', headers: h.auth(alice), body: JSON.stringify({ match: match.token }) }), 415, 'unsupported-media-type'],
      ['JSON labelled text', h.app.request('/v1/matches/current', { method: 'POST', headers: { ...h.auth(alice), 'content-type': 'text/plain' }, body: JSON.stringify({ match: match.token }) }), 415, 'unsupported-media-type'],
      ['too large', h.app.request('/v1/matches/current', { method: 'POST', headers: { ...h.auth(alice), 'content-type': 'application/json' }, body: JSON.stringify({ match: 'x'.repeat(20_000) }) }), 413, 'body-too-large'],
    ];
    for (const [name, pending, status, code] of cases) {
      const res = await pending;
      expect({ name, status: res.status, code: (await problemOf(res)).code }).toEqual({ name, status, code });
    }
    // Bob is still queued, nobody got a match, nothing was rebuilt.
    expect(h.matchmaker.queued('bob')).toBeDefined();
    expect((await body(await h.submit(bob))).status).toBe('searching');
    expect(await (await h.app.request('/metrics')).text()).not.toMatch(/^ticketbooth_matchmaker_match_reannouncements_total\{outcome="rebuilt"\} [1-9]/m);
  });
});

describe('a standby taking a shard over', () => {
  it('waits for the matches its players hold before matching, though its own warm-up ended long ago', async () => {
    const primary = createHarness();
    const { alice, bob, match } = await matchedDuel(primary);
    // The backup started with the primary (same keys) and stood by, hearing nothing, for 20 s.
    const backup = createHarness({}, undefined, { restartOf: primary });
    backup.advance(20_000);
    expect(backup.matchmaker.isWarmingUp()).toBe(false);
    // The primary dies; its players' next requests reach the backup. Bob, who never heard the
    // match, resubmits his ticket, and so does a newcomer near his rating.
    const carol = backup.ticket('carol', { rating: 1495 });
    expect((await body(await backup.submit(bob))).status).toBe('searching');
    expect((await body(await backup.submit(carol))).status).toBe('searching');
    expect(backup.matchmaker.isWarmingUp()).toBe(true);
    expect(backup.matchmaker.tick()).toBe(0);
    // Alice presents the match she holds: Bob is answered with it, never matched with Carol.
    expect(await body(await backup.reannounce(alice, match.token))).toMatchObject({ status: 'ready', match: { id: match.id } });
    expect(await body(await backup.submit(bob))).toMatchObject({ status: 'ready', match: { id: match.id } });
    backup.advance(3_000);
    backup.matchmaker.tick();
    expect(await body(await backup.submit(carol))).toMatchObject({ status: 'searching' });
  });
});

describe('an instance nobody talks to any more', () => {
  it('forms no match from the entries it still holds: the players went elsewhere (a primary took its shard back)', async () => {
    const h = createHarness({ staleAfterMs: 10_000 });
    await h.submit(h.ticket('alice', { rating: 1500, queuedAt: h.now() - 1 }));
    // Bob arrives after the warm-up: he and Alice would match at the next tick...
    h.advance(2_100);
    h.matchmaker.tick();
    const bob = h.ticket('bob', { rating: 1500 });
    await h.submit(bob);
    // ...but from here on no client is heard: two intervals later the entries are still held
    // (not stale yet), and nothing is formed from them.
    h.advance(2_001);
    expect(h.matchmaker.playersIn()).toBe(2);
    expect(h.matchmaker.tick()).toBe(0);
    // A client is heard again: a warm-up first (it may be taking a shard over), then matches.
    expect((await body(await h.submit(bob))).status).toBe('searching');
    h.advance(500);
    expect(h.matchmaker.tick()).toBe(0);
  });
});

