import {
  TICKET_ERROR_CODES,
  createSigningKey,
  createVerifier,
  generateSeed,
  keyRingFromFile,
  publicKeySetSchema,
  signToken,
  toPasetoDate,
} from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { ISSUER, T0, badTickets, createHarness, problemOf } from '../../test/support.ts';

async function body(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
  return (await res.json()) as Record<string, any>;
}

describe('POST /v1/queue', () => {
  it('answers searching with the pool, the signed wait and when to come back', async () => {
    const h = createHarness();
    const res = await h.submit(h.ticket('alice', { queuedAt: T0 - 7_000 }));
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual({
      status: 'searching',
      pool: { mode: 'duel', region: 'eu' },
      queuedForMs: 7_000,
      playersInPool: 1,
      estimatedWaitMs: null,
      resubmitAfterMs: 1_000,
    });
  });

  it('maps every ticket error code to 401 carrying that code', async () => {
    const h = createHarness();
    const tickets = badTickets(h);
    expect(Object.keys(tickets).sort()).toEqual([...TICKET_ERROR_CODES].sort());
    for (const [code, token] of Object.entries(tickets)) {
      const res = await h.submit(token);
      expect(res.status, code).toBe(401);
      const problem = await problemOf(res);
      expect(problem.code, code).toBe(code.replaceAll('_', '-'));
      expect(problem.type).toBe(`/problems/${code.replaceAll('_', '-')}`);
    }
    expect(h.matchmaker.playersIn()).toBe(0);
  });

  it('refuses a request without a ticket', async () => {
    const res = await createHarness().app.request('/v1/queue', { method: 'POST' });
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe('missing-token');
  });

  it('refuses a session token and a match token as wrong_purpose', async () => {
    const h = createHarness({ warmupMs: 0 });
    const now = toPasetoDate(h.now());
    const later = toPasetoDate(h.now() + 60_000);
    const session = signToken(h.issuerKey, 'session', { iss: ISSUER, sub: 'p', aud: 'ticketbooth-issuer', iat: now, exp: later, jti: 's1', epoch: 1 });
    const teams = [[{ sub: 'a', rating: 1 }], [{ sub: 'b', rating: 1 }]];
    const pool = { mode: 'duel', region: 'eu' };
    const issuerMatch = signToken(h.issuerKey, 'match', { iss: ISSUER, sub: 'm', aud: 'ticketbooth-game-server', iat: now, exp: later, jti: 'm1', pool, teams });
    await h.submit(h.ticket('a'));
    await h.submit(h.ticket('b'));
    h.matchmaker.tick();
    const ownMatch = (await body(await h.submit(h.ticket('a', { issuedAt: T0 - 1 })))).match.token as string;
    for (const token of [session, issuerMatch, ownMatch]) {
      const res = await h.submit(token);
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe('wrong-purpose');
    }
  });

  it('goes from searching to matched, with a match token a game server verifies alone', async () => {
    const h = createHarness();
    const alice = h.ticket('alice', { rating: 1510 });
    const bob = h.ticket('bob', { rating: 1490 });
    expect((await body(await h.submit(alice))).status).toBe('searching');
    expect((await body(await h.submit(bob))).status).toBe('searching');
    h.advance(2_000);
    expect(h.matchmaker.tick()).toBe(1);

    const matched = await body(await h.submit(alice));
    expect(matched).toMatchObject({
      status: 'ready',
      match: { id: 'match-1', pool: { mode: 'duel', region: 'eu' }, teams: [[{ sub: 'alice', rating: 1510 }], [{ sub: 'bob', rating: 1490 }]] },
    });
    expect(await body(await h.submit(bob))).toEqual(matched);
    // Matched players are not queued again by resubmitting.
    expect(h.matchmaker.playersIn()).toBe(0);

    const keys = publicKeySetSchema.parse(await body(await h.app.request('/v1/keys')));
    const verifier = createVerifier({
      keys: keyRingFromFile(keys),
      purpose: 'match',
      issuer: 'ticketbooth-matchmaker',
      audience: 'ticketbooth-game-server',
      maxLifetimeMs: 600_000,
      now: h.now,
    });
    const { claims } = verifier.verify(matched.match.token);
    expect(claims.sub).toBe('match-1');
    expect(claims.teams).toEqual(matched.match.teams);
  });

  it('signs the match token with the claims, clock and key of the tick that formed it, however late it is read', async () => {
    const h = createHarness({ warmupMs: 0 });
    const alice = h.ticket('alice');
    const bob = h.ticket('bob');
    await h.submit(alice);
    await h.submit(bob);
    const formedAt = h.now();
    const formingKid = h.matchKeys.signingKey().kid;
    expect(h.matchmaker.tick()).toBe(1);
    // Not signed inside the tick: after it, in the signing queue's own turns, or when read.
    expect(h.matchmaker.signing.backlog()).toBe(1);
    // Read later, after the matchmaker has moved to another signing key.
    h.advance(7_000);
    h.matchKeys.setSigningKey(createSigningKey(generateSeed()));
    const forAlice = (await body(await h.submit(alice))).match.token as string;
    const forBob = (await body(await h.submit(bob))).match.token as string;
    expect(forBob).toBe(forAlice);
    const verifier = createVerifier({
      keys: h.matchKeys,
      purpose: 'match',
      issuer: 'ticketbooth-matchmaker',
      audience: 'ticketbooth-game-server',
      maxLifetimeMs: 600_000,
      now: h.now,
    });
    const verified = verifier.verify(forAlice);
    expect(verified.kid).toBe(formingKid);
    expect(verified.issuedAt).toBe(formedAt);
    expect(verified.expiresAt).toBe(formedAt + h.settings.matchTokenTtlMs);
  });

  it('keeps the match for a refreshed ticket of the same search, and queues a new search', async () => {
    const h = createHarness({ warmupMs: 0 });
    await h.submit(h.ticket('alice'));
    await h.submit(h.ticket('bob'));
    h.matchmaker.tick();
    h.advance(5_000);
    const refreshed = h.ticket('alice', { queuedAt: T0 });
    expect((await body(await h.submit(refreshed))).status).toBe('ready');
    const newSearch = h.ticket('alice');
    expect((await body(await h.submit(newSearch))).status).toBe('searching');
    h.advance(30_000);
    expect((await body(await h.submit(h.ticket('bob', { queuedAt: T0 })))).status).toBe('searching');
  });

  it('is idempotent for the same ticket; a newer ticket moves the player; an older one changes nothing', async () => {
    const h = createHarness();
    const first = h.ticket('alice');
    await h.submit(first);
    await h.submit(first);
    expect(h.matchmaker.playersIn('duel/eu')).toBe(1);
    h.advance(1_000);
    const moved = h.ticket('alice', { mode: 'squad' });
    expect(await body(await h.submit(moved))).toMatchObject({ pool: { mode: 'squad', region: 'eu' }, playersInPool: 1 });
    expect(h.matchmaker.playersIn('duel/eu')).toBe(0);
    expect(await body(await h.submit(first))).toMatchObject({ status: 'searching', pool: { mode: 'squad', region: 'eu' } });
    expect(h.matchmaker.playersIn('duel/eu')).toBe(0);
  });

  it('forms no matches during warm-up but rebuilds the pool', async () => {
    const h = createHarness({ warmupMs: 2_000 });
    await h.submit(h.ticket('alice'));
    await h.submit(h.ticket('bob'));
    h.advance(1_999);
    expect(h.matchmaker.tick()).toBe(0);
    await h.submit(h.ticket('alice', { issuedAt: T0 }));
    expect((await body(await h.app.request('/v1/pools'))).warmingUp).toBe(true);
    h.advance(1);
    expect(h.matchmaker.tick()).toBe(1);
    expect((await body(await h.app.request('/v1/pools'))).warmingUp).toBe(false);
  });

  it('counts the warm-up from when serving starts, not from when the process began loading', async () => {
    const h = createHarness({ warmupMs: 2_000 });
    h.advance(5_000); // keys and the first revocation poll took this long
    h.matchmaker.startWarmup();
    await h.submit(h.ticket('alice'));
    await h.submit(h.ticket('bob'));
    h.advance(1_999);
    expect(h.matchmaker.tick()).toBe(0);
    h.advance(1);
    expect(h.matchmaker.tick()).toBe(1);
  });

  it('refuses new players at capacity with 503 and Retry-After, and keeps serving queued ones', async () => {
    const h = createHarness({ maxPlayers: 2 });
    const a = h.ticket('a');
    await h.submit(a);
    await h.submit(h.ticket('b'));
    const res = await h.submit(h.ticket('c'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await problemOf(res)).code).toBe('at-capacity');
    expect((await h.submit(a)).status).toBe(200);
    h.advance(1_000);
    expect((await h.submit(h.ticket('a', { mode: 'squad' }))).status).toBe(200);
    expect(h.matchmaker.playersIn()).toBe(2);
  });

  it('answers 403 for a revoked ticket and drops the queued entry', async () => {
    const h = createHarness();
    const ticket = h.ticket('mallory');
    await h.submit(ticket);
    h.matchmaker.revoke('mallory', h.now() + 1);
    expect(h.matchmaker.playersIn()).toBe(0);
    const res = await h.submit(ticket);
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('revoked');
    h.advance(1_000);
    expect((await h.submit(h.ticket('mallory'))).status).toBe(200);
  });

  it('answers 422 for a pool this instance does not serve', async () => {
    const h = createHarness();
    const res = await h.submit(h.ticket('alice', { region: 'na' }));
    expect(res.status).toBe(422);
    expect((await problemOf(res)).code).toBe('pool-not-served');
  });

  it('drops players who stop resubmitting', async () => {
    const h = createHarness({ warmupMs: 0 });
    await h.submit(h.ticket('alice'));
    h.advance(3_000);
    h.matchmaker.tick();
    expect(h.matchmaker.playersIn()).toBe(0);
  });
});

describe('DELETE /v1/queue', () => {
  it('leaves with 204, for good: every ticket of that search is refused with 409 left, a new search queues again', async () => {
    const h = createHarness();
    const ticket = h.ticket('alice');
    await h.submit(ticket);
    const res = await h.leave(ticket);
    expect(res.status).toBe(204);
    expect(h.matchmaker.playersIn()).toBe(0);
    for (const again of [await h.submit(ticket), await h.leave(ticket)]) {
      expect(again.status).toBe(409);
      expect(await problemOf(again)).toMatchObject({ code: 'left', status: 409 });
    }
    expect(h.matchmaker.playersIn()).toBe(0);
    // A ticket refreshed from the one that left (same signed queuedAt) is the same search.
    h.advance(1_000);
    expect((await problemOf(await h.submit(h.ticket('alice', { queuedAt: h.now() - 1_000 })))).code).toBe('left');
    expect((await body(await h.submit(h.ticket('alice')))).status).toBe('searching');
    expect(await (await h.app.request('/metrics')).text()).toMatch(/^ticketbooth_matchmaker_submissions_total\{outcome="left"\} 2$/m);
  });

  it('applies a POST and a DELETE of one new ticket sent together in the order they were sent', async () => {
    const h = createHarness();
    const ticket = h.ticket('alice');
    const [posted, left] = await Promise.all([h.submit(ticket), h.leave(ticket)]);
    expect([posted.status, left.status]).toEqual([200, 204]);
    expect(h.matchmaker.queued('alice')).toBeUndefined();
    const bob = h.ticket('bob');
    const [leftFirst, postedAfter] = await Promise.all([h.leave(bob), h.submit(bob)]);
    expect([leftFirst.status, postedAfter.status]).toEqual([204, 409]);
    expect(h.matchmaker.queued('bob')).toBeUndefined();
  });

  it('applies a DELETE and a POST of a queued ticket sent together in the order they were sent', async () => {
    const h = createHarness();
    const ticket = h.ticket('alice');
    await h.submit(ticket);
    const [left, posted] = await Promise.all([h.leave(ticket), h.submit(ticket)]);
    expect([left.status, posted.status]).toEqual([204, 409]);
    expect(h.matchmaker.queued('alice')).toBeUndefined();
    h.advance(1);
    const next = h.ticket('alice');
    const [postedNext, leftNext] = await Promise.all([h.submit(next), h.leave(next)]);
    expect([postedNext.status, leftNext.status]).toEqual([200, 204]);
    expect(h.matchmaker.queued('alice')).toBeUndefined();
  });

  it('lets an expired ticket leave (its signature still must hold), and changes nothing on a refusal', async () => {
    const h = createHarness({ staleAfterMs: 120_000 });
    const ticket = h.ticket('alice', { lifetimeMs: 30_000 });
    await h.submit(ticket);
    await h.submit(h.ticket('bob', { lifetimeMs: 60_000 }));
    h.advance(31_000);
    expect((await h.submit(ticket)).status).toBe(401);
    expect((await h.leave(ticket)).status).toBe(204);
    expect(h.matchmaker.queued('alice')).toBeUndefined();
    // A forged ticket and one expired longer than a ticket lifetime are refused, and change nothing.
    const [head, payload, footer] = [ticket.split('.').slice(0, 2).join('.'), ticket.split('.')[2]!, ticket.split('.')[3]!];
    const forged = `${head}.${payload.slice(0, -2)}${payload.at(-2) === 'A' ? 'B' : 'A'}${payload.at(-1)}.${footer}`;
    expect((await problemOf(await h.leave(forged))).code).toBe('bad-signature');
    const stale = h.ticket('bob', { issuedAt: h.now() - 95_000, lifetimeMs: 30_000 });
    expect((await problemOf(await h.leave(stale))).code).toBe('expired');
    expect(h.matchmaker.queued('bob')).toBeDefined();
    h.matchmaker.tick();
    expect(h.matchmaker.queued('bob')).toBeDefined();
    // An expired ticket of an earlier search leaves that search only, not a newer one.
    const earlier = h.ticket('bob', { issuedAt: h.now() - 40_000, lifetimeMs: 30_000, queuedAt: h.now() - 40_000 });
    expect((await h.leave(earlier)).status).toBe(204);
    expect(h.matchmaker.queued('bob')).toBeDefined();
  });
});

describe('GET /v1/queue/events', () => {
  it('pushes matched to a waiting player', async () => {
    const h = createHarness({ warmupMs: 0 });
    const alice = h.ticket('alice');
    await h.submit(alice);
    const res = await h.app.request('/v1/queue/events', { headers: h.auth(alice) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await h.submit(h.ticket('bob'));
    h.matchmaker.tick();
    const text = await res.text();
    expect(text).toContain('event: ready');
    const data = JSON.parse(text.split('\n').find((line) => line.startsWith('data: '))!.slice(6));
    expect(data).toMatchObject({ status: 'ready', match: { id: 'match-1' } });
  });

  it('answers at once when already matched, and refuses a bad ticket before streaming', async () => {
    const h = createHarness({ warmupMs: 0 });
    const alice = h.ticket('alice');
    await h.submit(alice);
    await h.submit(h.ticket('bob'));
    h.matchmaker.tick();
    expect(await (await h.app.request('/v1/queue/events', { headers: h.auth(alice) })).text()).toContain('event: ready');
    const bad = await h.app.request('/v1/queue/events', { headers: h.auth('v4.public.nope') });
    expect(bad.status).toBe(401);
  });

  it('answers 404 not-queued for a ticket neither queued nor matched, instead of pinging forever', async () => {
    const h = createHarness({ warmupMs: 0 });
    const alice = h.ticket('alice');
    const never = await h.app.request('/v1/queue/events', { headers: h.auth(alice) });
    expect(never.status).toBe(404);
    expect((await problemOf(never)).code).toBe('not-queued');
    await h.submit(alice);
    await h.leave(alice);
    const left = await h.app.request('/v1/queue/events', { headers: h.auth(alice) });
    expect((await problemOf(left)).code).toBe('not-queued');
  });
});

describe('the Authorization scheme', () => {
  it('is read in any case on every ticket route (RFC 9110), as on the fast lane’s answers', async () => {
    const h = createHarness({ warmupMs: 0 });
    const alice = h.ticket('alice');
    const queued = await h.app.request('/v1/queue', { method: 'POST', headers: { authorization: `bearer ${alice}` } });
    expect(queued.status).toBe(200);
    expect(await body(queued)).toMatchObject({ status: 'searching', playersInPool: 1 });
    // The fast lane answers with the same function, from the raw header.
    const lane = await h.lane.answer(`BEARER ${alice}`);
    expect([lane.status, JSON.parse(lane.body).status]).toEqual([200, 'searching']);
    const events = await h.app.request('/v1/queue/events', { headers: { authorization: `bEaReR ${alice}` } });
    expect(events.status).toBe(200);
    await events.body?.cancel();
    expect((await h.app.request('/v1/queue', { method: 'DELETE', headers: { authorization: `BEARER ${alice}` } })).status).toBe(204);
    expect(h.matchmaker.queued('alice')).toBeUndefined();
  });
});

describe('GET /v1/queue/explain and estimatedWaitMs', () => {
  it('explains a search with no match yet: window, size, who is compatible now, the nearest who is not and when', async () => {
    const h = createHarness();
    const alice = h.ticket('alice', { rating: 1500, queuedAt: T0 - 10_000 });
    await h.submit(alice);
    await h.submit(h.ticket('bob', { rating: 1900 }));
    const res = await h.app.request('/v1/queue/explain', { headers: h.auth(alice) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const x = await body(res);
    expect(x).toMatchObject({
      pool: { mode: 'duel', region: 'eu' },
      queuedForMs: 10_000,
      group: { players: 1, rating: 1500 },
      size: { teams: 2, teamSize: 1, playersNeeded: 2 },
      compatibleNow: { groups: 0, players: 0 },
      nearestIncompatible: { ratingGap: 400 },
      scanned: 2,
      estimatedWaitMs: null,
    });
    expect(x.nearestIncompatible.reachableInMs).toBeGreaterThan(0);
    expect(x.ratingWindow.low).toBeLessThan(1500);
  });

  it('answers one explanation per player per second, 429 explain-too-often in between', async () => {
    const h = createHarness();
    const alice = h.ticket('alice');
    await h.submit(alice);
    const explain = () => h.app.request('/v1/queue/explain', { headers: h.auth(alice) });
    expect((await explain()).status).toBe(200);
    h.advance(999);
    const refused = await explain();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await problemOf(refused)).toMatchObject({ code: 'explain-too-often' });
    h.advance(1);
    expect((await explain()).status).toBe(200);
    expect(h.matchmaker.playersIn()).toBe(1);
  });

  it('404 not-queued for a ticket that is not searching, 401 for a bad one, and changes nothing', async () => {
    const h = createHarness();
    const res = await h.app.request('/v1/queue/explain', { headers: h.auth(h.ticket('nobody')) });
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toMatchObject({ code: 'not-queued' });
    expect((await h.app.request('/v1/queue/explain', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect(h.matchmaker.playersIn()).toBe(0);
  });

  it('answers searching players with the pool’s recent time-to-match once matches formed there', async () => {
    const h = createHarness();
    await h.submit(h.ticket('a', { queuedAt: T0 - 4_000 }));
    await h.submit(h.ticket('b', { queuedAt: T0 - 2_000 }));
    h.advance(2_000);
    expect(h.matchmaker.tick()).toBe(1);
    const later = await body(await h.submit(h.ticket('c')));
    // Waits of 6 s and 4 s: the lower middle one.
    expect(later).toMatchObject({ status: 'searching', estimatedWaitMs: 4_000 });
  });
});
