import {
  createSigningKey,
  createVerifier,
  generateSeed,
  keyRingFromFile,
  publicKeySetSchema,
  signToken,
  toPasetoDate,
} from '@ticketbooth/tickets';
import { afterEach, describe, expect, it } from 'vitest';
import { T0, bearer, createTestIssuer, jsonRequest, signUp, type TestIssuer, type TestIssuerOptions } from '../testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

interface TicketBody {
  ticket: string;
  matchmakerUrl: string;
  resubmitAfterMs: number;
  expiresAt: string;
}

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Record<string, unknown>;
}

const requestTicket = (token: string, body: unknown, headers: Record<string, string> = {}) =>
  issuer.app.request('/v1/tickets', jsonRequest('POST', body, { ...bearer(token), ...headers }));

async function okTicket(token: string, body: unknown, headers: Record<string, string> = {}): Promise<TicketBody> {
  const res = await requestTicket(token, body, headers);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as TicketBody;
}

/** A matchmaker's view: only what GET /v1/keys publishes. */
async function matchmakerVerifier(options: { leewayMs?: number } = {}) {
  const keys = await issuer.app.request('/v1/keys');
  const ring = keyRingFromFile(publicKeySetSchema.parse(await keys.json()));
  return createVerifier({
    keys: ring,
    purpose: 'ticket',
    issuer: 'ticketbooth-issuer',
    audience: 'ticketbooth-matchmaker',
    maxLifetimeMs: 10 * 60_000,
    now: issuer.now,
    ...options,
  });
}

async function setup(options: TestIssuerOptions = {}) {
  issuer = createTestIssuer(options);
  return signUp(issuer, 'alice');
}

describe('POST /v1/tickets', () => {
  it('signs a ticket a matchmaker verifies with only the published keys', async () => {
    const { id, token } = await setup({
      shared: { matchmakers: { default: 'http://127.0.0.1:9000', pools: { 'squad/eu': 'http://127.0.0.1:9001' } } },
    });
    const body = await okTicket(token, { mode: 'squad', region: 'eu', latencies: { na: 95, eu: 21 } });
    expect(body).toMatchObject({
      matchmakerUrl: 'http://127.0.0.1:9001',
      resubmitAfterMs: 5_000,
      expiresAt: toPasetoDate(T0 + 5 * 60_000),
    });
    const { claims, expiresAt } = (await matchmakerVerifier()).verify(body.ticket);
    expect(claims).toEqual({
      iss: 'ticketbooth-issuer',
      sub: id,
      aud: 'ticketbooth-matchmaker',
      iat: toPasetoDate(T0),
      exp: toPasetoDate(T0 + 5 * 60_000),
      jti: expect.any(String),
      pool: { mode: 'squad', region: 'eu' },
      rating: 1500,
      // A new player: as unsure as the rating model starts (skill.ts).
      uncertainty: 500,
      queuedAt: toPasetoDate(T0),
      latencies: { eu: 21, na: 95 },
    });
    expect(expiresAt).toBe(T0 + 5 * 60_000);
    expect((await okTicket(token, { mode: 'duel', region: 'na' })).matchmakerUrl).toBe('http://127.0.0.1:9000');
  });

  it('carries the stored rating for the mode', async () => {
    const { id, token } = await setup();
    await issuer.store.setRating(id, 'duel', 1873.5, T0);
    const verifier = await matchmakerVerifier();
    expect(verifier.verify((await okTicket(token, { mode: 'duel', region: 'eu' })).ticket).claims.rating).toBe(1873.5);
    expect(verifier.verify((await okTicket(token, { mode: 'squad', region: 'eu' })).ticket).claims.rating).toBe(1500);
  });

  it('answers 422 for a mode or region this deployment does not offer', async () => {
    const { token } = await setup();
    const mode = await requestTicket(token, { mode: 'chess', region: 'eu' });
    expect(mode.status).toBe(422);
    expect(await problem(mode)).toMatchObject({ type: '/problems/unknown-mode', code: 'unknown-mode', detail: '"chess"; modes offered: duel, squad' });
    const region = await requestTicket(token, { mode: 'duel', region: 'mars' });
    expect(region.status).toBe(422);
    expect(await problem(region)).toMatchObject({ type: '/problems/unknown-region', code: 'unknown-region' });
    expect((await requestTicket(token, { mode: 'Not A Slug', region: 'eu' })).status).toBe(400);
  });

  it('answers 415 for a body not sent as application/json, and takes one with a charset', async () => {
    const { token } = await setup();
    const body = JSON.stringify({ mode: 'duel', region: 'eu' });
    for (const headers of [bearer(token), { ...bearer(token), 'content-type': 'text/plain;charset=UTF-8' }]) {
      const res = await issuer.app.request('/v1/tickets', { method: 'POST', body, headers });
      expect(res.status).toBe(415);
      expect(await problem(res)).toMatchObject({
        type: '/problems/unsupported-media-type',
        code: 'unsupported-media-type',
        detail: 'the request body must be sent as application/json',
      });
    }
    const charset = await issuer.app.request('/v1/tickets', { method: 'POST', body, headers: { ...bearer(token), 'content-type': 'application/json; charset=utf-8' } });
    expect(charset.status).toBe(200);
  });

  it('keeps queuedAt from the player’s previous ticket for the same pool', async () => {
    const { token } = await setup();
    const first = await okTicket(token, { mode: 'duel', region: 'eu' });
    issuer.advance(4 * 60_000);
    const second = await okTicket(token, { mode: 'duel', region: 'eu', previousTicket: first.ticket });
    // Expired less than one lifetime ago still counts: a late refresh keeps its place.
    issuer.advance(5 * 60_000);
    const third = await okTicket(token, { mode: 'duel', region: 'eu', previousTicket: second.ticket });
    const verifier = await matchmakerVerifier();
    const claims = verifier.verify(third.ticket).claims;
    expect(claims.queuedAt).toBe(toPasetoDate(T0));
    expect(claims.iat).toBe(toPasetoDate(T0 + 9 * 60_000));

    const otherPool = await okTicket(token, { mode: 'duel', region: 'na', previousTicket: third.ticket });
    expect(verifier.verify(otherPool.ticket).claims.queuedAt).toBe(toPasetoDate(T0 + 9 * 60_000));

    issuer.advance(11 * 60_000);
    const afterLongBreak = await okTicket(token, { mode: 'duel', region: 'eu', previousTicket: third.ticket });
    expect(verifier.verify(afterLongBreak.ticket).claims.queuedAt).toBe(toPasetoDate(T0 + 20 * 60_000));
  });

  it('refuses another player’s ticket as previousTicket, and forged ones', async () => {
    const { token } = await setup();
    const bob = await signUp(issuer, 'bob');
    const bobs = await okTicket(bob.token, { mode: 'duel', region: 'eu' });
    const stolen = await requestTicket(token, { mode: 'duel', region: 'eu', previousTicket: bobs.ticket });
    expect(stolen.status).toBe(403);
    expect(await problem(stolen)).toMatchObject({ type: '/problems/ticket-not-yours', code: 'ticket-not-yours' });

    const forger = createSigningKey(generateSeed());
    const forged = signToken(forger, 'ticket', {
      iss: 'ticketbooth-issuer',
      sub: 'x',
      aud: 'ticketbooth-matchmaker',
      iat: toPasetoDate(T0),
      exp: toPasetoDate(T0 + 60_000),
      jti: 'j',
      pool: { mode: 'duel', region: 'eu' },
      rating: 1,
      queuedAt: toPasetoDate(T0 - 3_600_000),
    });
    // A key the issuer never had is treated as stale (start now); a tampered ticket from our key is refused.
    const withForged = await okTicket(token, { mode: 'duel', region: 'eu', previousTicket: forged });
    expect((await matchmakerVerifier()).verify(withForged.ticket).claims.queuedAt).toBe(toPasetoDate(T0));
    const own = await okTicket(token, { mode: 'duel', region: 'eu' });
    const tampered = `${own.ticket.slice(0, 40)}${own.ticket[40] === 'A' ? 'B' : 'A'}${own.ticket.slice(41)}`;
    const res = await requestTicket(token, { mode: 'duel', region: 'eu', previousTicket: tampered });
    expect(res.status).toBe(400);
    expect(await problem(res)).toMatchObject({ code: 'invalid-previous-ticket' });
  });

  it('is idempotent: concurrent identical requests get byte-identical tickets', async () => {
    const { token } = await setup();
    const key = { 'idempotency-key': `${T0 - 1_500}.r4nd0m-part-0123456789` };
    const body = { mode: 'duel', region: 'eu', latencies: { eu: 20, na: 90 } };
    const [a, b, c] = await Promise.all([
      okTicket(token, body, key),
      okTicket(token, body, key),
      okTicket(token, { latencies: { na: 90, eu: 20 }, region: 'eu', mode: 'duel' }, key),
    ]);
    expect(a.ticket).toBe(b.ticket);
    expect(c.ticket).toBe(a.ticket);
    issuer.advance(30_000);
    expect((await okTicket(token, body, key)).ticket).toBe(a.ticket);
    const claims = (await matchmakerVerifier()).verify(a.ticket).claims;
    expect(claims.iat).toBe(toPasetoDate(T0 - 1_500));
    expect(claims.queuedAt).toBe(toPasetoDate(T0 - 1_500));
    expect(a.expiresAt).toBe(toPasetoDate(T0 - 1_500 + 5 * 60_000));

    const otherKey = await okTicket(token, body, { 'idempotency-key': `${T0 - 1_500}.another-random-part-xyz` });
    expect(otherKey.ticket).not.toBe(a.ticket);
    const otherBody = await okTicket(token, { ...body, region: 'na' }, key);
    expect(otherBody.ticket).not.toBe(a.ticket);
  });

  it('issues distinct tickets without an Idempotency-Key', async () => {
    const { token } = await setup();
    const [a, b] = await Promise.all([okTicket(token, { mode: 'duel', region: 'eu' }), okTicket(token, { mode: 'duel', region: 'eu' })]);
    expect(a.ticket).not.toBe(b.ticket);
  });

  it('refuses an Idempotency-Key it cannot honour', async () => {
    const { token } = await setup();
    for (const value of ['nope', `${T0}.short`, `${T0 - 5 * 60_000}.r4nd0m-part-0123456789`, `${T0 + 60_000}.r4nd0m-part-0123456789`]) {
      const res = await requestTicket(token, { mode: 'duel', region: 'eu' }, { 'idempotency-key': value });
      expect(res.status, value).toBe(400);
      expect(await problem(res)).toMatchObject({ code: 'invalid-idempotency-key' });
    }
  });

  it('refuses a banned player with 403 on their next ticket request', async () => {
    const { id, token } = await setup();
    await okTicket(token, { mode: 'duel', region: 'eu' });
    await issuer.store.banUser(id, 'boosting', issuer.now());
    const res = await requestTicket(token, { mode: 'duel', region: 'eu' });
    expect(res.status).toBe(403);
    expect(await problem(res)).toMatchObject({ type: '/problems/banned', code: 'banned' });
  });

  it('refuses a session token where a ticket is expected and vice versa', async () => {
    const { token } = await setup();
    const { ticket } = await okTicket(token, { mode: 'duel', region: 'eu' });
    const res = await requestTicket(ticket, { mode: 'duel', region: 'eu' });
    expect(res.status).toBe(401);
    expect(await problem(res)).toMatchObject({ code: 'wrong-purpose' });
    const asPrevious = await requestTicket(token, { mode: 'duel', region: 'eu', previousTicket: token });
    expect(asPrevious.status).toBe(400);
  });

  it('answers malformed JSON with 400 and an oversized body with 413, as problem+json', async () => {
    const { token } = await setup();
    const malformed = await issuer.app.request('/v1/tickets', {
      method: 'POST',
      body: '{"mode": "duel",',
      headers: { 'content-type': 'application/json', ...bearer(token) },
    });
    expect(malformed.status).toBe(400);
    expect(await problem(malformed)).toMatchObject({ type: '/problems/malformed-json', code: 'malformed-json' });
    const huge = await requestTicket(token, { mode: 'duel', region: 'eu', previousTicket: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    expect(await problem(huge)).toMatchObject({ type: '/problems/body-too-large', code: 'body-too-large' });
  });
});

describe('POST /v1/tickets under mode rules', () => {
  const rules = {
    attributes: { build: { values: ['1.4', '1.5'] }, crossplay: { values: ['pc', 'ps5', 'any'], set: true } },
    modes: {
      duel: { teams: 2, teamSize: 1, attributes: { equal: ['build'], intersect: ['crossplay'] } },
      near: { teams: 2, teamSize: { min: 1, max: 2 }, latency: { maxMs: 60, widenToMs: 150, widenAfterMs: 30_000 } },
    },
    matchmakers: { default: 'http://127.0.0.1:9000', pools: { near: 'http://127.0.0.1:9002' } },
  };

  it('signs the attributes it vouches for, canonical, and routes a latency mode to its one pool', async () => {
    const { token } = await setup({ shared: rules });
    const verifier = await matchmakerVerifier();
    const solo = await okTicket(token, { mode: 'duel', region: 'eu', attributes: { crossplay: ['pc', 'any'], build: '1.5' } });
    expect(verifier.verify(solo.ticket).claims.attributes).toEqual({ build: '1.5', crossplay: ['any', 'pc'] });
    const near = await okTicket(token, { mode: 'near', region: 'na', latencies: { eu: 40, na: 20 } });
    expect(near.matchmakerUrl).toBe('http://127.0.0.1:9002');
    expect(verifier.verify(near.ticket).claims).toMatchObject({ pool: { mode: 'near', region: 'na' }, latencies: { eu: 40, na: 20 } });
    const catalog = (await (await issuer.app.request('/v1/modes')).json()) as { modes: Array<Record<string, unknown>>; attributes: unknown };
    expect(catalog.modes.find((m) => m.name === 'near')).toMatchObject({ teamSize: 2, minTeamSize: 1, latency: { maxMs: 60 } });
    expect(catalog.modes.find((m) => m.name === 'duel')).toMatchObject({ attributes: { equal: ['build'], intersect: ['crossplay'] }, latency: null });
    expect(catalog.attributes).toEqual({ build: { values: ['1.4', '1.5'], set: false }, crossplay: { values: ['pc', 'ps5', 'any'], set: true } });
  });

  it('refuses what it cannot vouch for with a stable code, and signs nothing', async () => {
    const { token } = await setup({ shared: rules });
    const cases: Array<[unknown, number, string]> = [
      [{ mode: 'near', region: 'eu' }, 422, 'latencies-required'],
      [{ mode: 'duel', region: 'eu', attributes: { rank: 'gold' } }, 422, 'unknown-attribute'],
      [{ mode: 'duel', region: 'eu', attributes: { build: '2.0' } }, 422, 'attribute-not-allowed'],
      [{ mode: 'duel', region: 'eu', attributes: { crossplay: 'pc' } }, 422, 'attribute-not-allowed'],
      [{ mode: 'duel', region: 'eu', attributes: { build: 'has space' } }, 400, 'invalid-request'],
      [{ mode: 'duel', region: 'eu', attributes: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`a${i}`, 'x'])) }, 400, 'invalid-request'],
    ];
    for (const [body, status, code] of cases) {
      const res = await requestTicket(token, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const answer = await problem(res);
      expect(answer.type, JSON.stringify(answer)).toContain(code);
      expect(JSON.stringify(answer)).not.toContain('eyJ');
    }
    const metrics = await (await issuer.app.request('/metrics')).text();
    expect(metrics).not.toMatch(/tickets_issued_total\{[^}]*\} [1-9]/);
  });
});
