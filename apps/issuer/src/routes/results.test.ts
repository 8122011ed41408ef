import { KeyRing, applyKeyFile, generateKeyFile, signToken, toPasetoDate } from '@ticketbooth/tickets';
import { afterEach, describe, expect, it } from 'vitest';
import { T0, TEST_ADMIN_TOKEN, bearer, createTestIssuer, jsonRequest, signUp, type TestIssuer } from '../testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

const FRESH = { mu: 1500, sigma: 500 };
const WINDOW_MS = 6 * 3_600_000;

/** A matchmaker's key ring (it signs match tokens), and how often the issuer asked for its keys again. */
function matchmakerKeys() {
  const ring = new KeyRing();
  applyKeyFile(ring, generateKeyFile(T0));
  const keys = { ring, refetches: 0, refetchForUnknownKid: async () => (keys.refetches++, false) };
  return keys;
}

function matchToken(ring: KeyRing, id: string, teams: string[][], at = T0, mode = 'duel', acceptBy?: number) {
  return signToken(ring.signingKey(), 'match', {
    ...(acceptBy === undefined ? {} : { acceptBy: toPasetoDate(acceptBy) }),
    iss: 'ticketbooth-matchmaker',
    sub: id,
    aud: 'ticketbooth-game-server',
    iat: toPasetoDate(at),
    exp: toPasetoDate(at + 10 * 60_000),
    jti: id,
    pool: { mode, region: 'eu' },
    teams: teams.map((team) => team.map((sub) => ({ sub, rating: 1500 }))),
  });
}

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Record<string, unknown>;
}

const admin = (method: string, path: string, body?: unknown) =>
  issuer.app.request(path, body === undefined ? { method, headers: bearer(TEST_ADMIN_TOKEN) } : jsonRequest(method, body, bearer(TEST_ADMIN_TOKEN)));

async function gameServer(name = 'eu-gs-1'): Promise<string> {
  const res = await admin('POST', '/v1/admin/game-servers', { name });
  expect(res.status).toBe(201);
  return ((await res.json()) as { secret: string }).secret;
}

const report = (secret: string, body: unknown) => issuer.app.request('/v1/results', jsonRequest('POST', body, bearer(secret)));

/** Two players and a duel the matchmaker signed for them. */
async function duel(mm: ReturnType<typeof matchmakerKeys>) {
  const alice = await signUp(issuer, 'alice');
  const bob = await signUp(issuer, 'bob');
  return { alice, bob, match: matchToken(mm.ring, 'm-1', [[alice.id], [bob.id]]) };
}

const skills = (...ids: string[]) => issuer.store.skillsOf(ids, 'duel', FRESH);

async function ticketClaims(session: string): Promise<{ rating: number; uncertainty?: number }> {
  const { ticket } = (await (await issuer.app.request('/v1/tickets', jsonRequest('POST', { mode: 'duel', region: 'eu' }, bearer(session)))).json()) as { ticket: string };
  return JSON.parse(Buffer.from(ticket.split('.')[2]!, 'base64url').subarray(0, -64).toString()) as { rating: number; uncertainty?: number };
}

describe('POST /v1/results', () => {
  it('moves the players’ skills once; the next tickets carry the new ratings; a replay answers the first result', async () => {
    const mm = matchmakerKeys();
    issuer = createTestIssuer({ matchKeys: mm });
    const secret = await gameServer();
    const { alice, bob, match } = await duel(mm);
    // New players: the default rating, as unsure as the model starts.
    expect(await ticketClaims(alice.token)).toMatchObject({ rating: 1500, uncertainty: 500 });
    issuer.advance(20 * 60_000);

    const first = await report(secret, { match, ranks: [1, 2], scores: { [bob.id]: 3, [alice.id]: 10 } });
    expect(first.status).toBe(201);
    const body = await first.json();
    expect(body).toEqual({ match: 'm-1', mode: 'duel', ranks: [1, 2], scores: { [alice.id]: 10, [bob.id]: 3 }, reportedAt: new Date(issuer.now()).toISOString() });
    const [a, b] = await skills(alice.id, bob.id);
    expect(a!.mu).toBeGreaterThan(1500);
    expect(b!.mu).toBeLessThan(1500);
    expect(a!.sigma).toBeLessThan(500);

    expect(await ticketClaims(alice.token)).toMatchObject({ rating: a!.mu, uncertainty: Math.round(a!.sigma) });
    expect(await ticketClaims(bob.token)).toMatchObject({ rating: b!.mu, uncertainty: Math.round(b!.sigma) });

    // The same report again (scores in another order): the first result, nothing moves.
    issuer.advance(1_000);
    const replay = await report(secret, { match, ranks: [1, 2], scores: { [alice.id]: 10, [bob.id]: 3 } });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual(body);
    expect(await skills(alice.id, bob.id)).toEqual([a, b]);
  });

  it('a conflicting second report is 409 and changes nothing', async () => {
    const mm = matchmakerKeys();
    issuer = createTestIssuer({ matchKeys: mm });
    const secret = await gameServer();
    const { alice, bob, match } = await duel(mm);
    expect((await report(secret, { match, ranks: [1, 1] })).status).toBe(201);
    const after = await skills(alice.id, bob.id);
    for (const ranks of [[2, 1], [1, 2]]) {
      const res = await report(secret, { match, ranks });
      expect(res.status).toBe(409);
      expect(await problem(res)).toMatchObject({ code: 'result-conflict' });
    }
    // Another game server cannot overwrite it either.
    expect((await report(await gameServer('eu-gs-2'), { match, ranks: [2, 1] })).status).toBe(409);
    expect(await skills(alice.id, bob.id)).toEqual(after);
  });

  it('refuses forged tokens, unknown keys, strangers, misfit ranks and late results, moving nobody', async () => {
    const mm = matchmakerKeys();
    issuer = createTestIssuer({ matchKeys: mm });
    const secret = await gameServer();
    const { alice, bob, match } = await duel(mm);
    const other = matchmakerKeys();
    // One character of the signed payload changed (a team member swapped, say): the signature no longer holds.
    const parts = match.split('.');
    const at = Math.floor(parts[2]!.length / 3);
    parts[2] = `${parts[2]!.slice(0, at)}${parts[2]![at] === 'A' ? 'B' : 'A'}${parts[2]!.slice(at + 1)}`;
    const forged = parts.join('.');
    const cases: Array<[unknown, number, string]> = [
      [{ match: forged, ranks: [1, 2] }, 422, 'invalid-match-token'],
      [{ match: matchToken(other.ring, 'm-9', [[alice.id], [bob.id]]), ranks: [1, 2] }, 422, 'unknown-match-key'],
      [{ match, ranks: [1, 2, 3] }, 422, 'ranks-do-not-fit'],
      [{ match, ranks: [1, 2], scores: { mallory: 1 } }, 422, 'not-in-match'],
      [{ match: matchToken(mm.ring, 'm-2', [[alice.id], [bob.id]], T0, 'chess'), ranks: [1, 2] }, 422, 'unknown-mode'],
      [{ match, ranks: [0, 1] }, 400, 'invalid-request'],
      [{ ranks: [1, 2] }, 400, 'invalid-request'],
    ];
    for (const [body, status, code] of cases) {
      const res = await report(secret, body);
      expect(res.status, code).toBe(status);
      expect(await problem(res)).toMatchObject({ code });
    }
    expect(mm.refetches).toBe(1);
    issuer.advance(WINDOW_MS + 1);
    const late = await report(secret, { match, ranks: [1, 2] });
    expect(late.status).toBe(422);
    expect(await problem(late)).toMatchObject({ code: 'result-too-late' });
    expect(await skills(alice.id, bob.id)).toEqual([FRESH, FRESH]);
  });

  it('takes results only from registered game servers that are not revoked', async () => {
    const mm = matchmakerKeys();
    issuer = createTestIssuer({ matchKeys: mm });
    const secret = await gameServer();
    const { alice, bob, match } = await duel(mm);
    for (const auth of [{}, bearer('tbgs_not-registered')]) {
      const res = await issuer.app.request('/v1/results', jsonRequest('POST', { match, ranks: [1, 2] }, auth));
      expect(res.status).toBe(401);
      expect(await problem(res)).toMatchObject({ code: expect.stringMatching(/^(missing-token|invalid-game-server)$/) });
    }
    expect((await admin('POST', '/v1/admin/game-servers/eu-gs-1/revoke')).status).toBe(200);
    const revoked = await report(secret, { match, ranks: [1, 2] });
    expect(revoked.status).toBe(403);
    expect(await problem(revoked)).toMatchObject({ code: 'game-server-revoked' });
    expect(await skills(alice.id, bob.id)).toEqual([FRESH, FRESH]);
  });

  it('answers 503 while the matchmakers’ keys are unknown', async () => {
    issuer = createTestIssuer();
    const secret = await gameServer();
    const res = await report(secret, { match: 'v4.public.x', ranks: [1, 2] });
    expect(res.status).toBe(503);
    expect(await problem(res)).toMatchObject({ code: 'results-unavailable' });
  });
});

describe('POST /v1/results: matches that may not have been played', () => {
  const assignmentFor = (ring: KeyRing, matchId: string) =>
    signToken(ring.signingKey(), 'assignment', {
      iss: 'ticketbooth-matchmaker',
      sub: matchId,
      aud: 'ticketbooth-game-server',
      iat: toPasetoDate(T0 + 3_000),
      exp: toPasetoDate(T0 + 10 * 60_000),
      jti: `a-${matchId}`,
      match: matchId,
      pool: { mode: 'duel', region: 'eu' },
    });

  it('a match with an accept step counts only with its assignment (a cancelled one has none)', async () => {
    const mm = matchmakerKeys();
    issuer = createTestIssuer({ matchKeys: mm });
    const secret = await gameServer();
    const [alice, bob] = [await signUp(issuer, 'alice'), await signUp(issuer, 'bob')];
    const proposed = matchToken(mm.ring, 'm-7', [[alice.id], [bob.id]], T0, 'duel', T0 + 10_000);
    const refusals: Array<[object, string]> = [
      [{ match: proposed, ranks: [1, 2] }, 'assignment-required'],
      [{ match: proposed, ranks: [1, 2], assignment: assignmentFor(mm.ring, 'm-8') }, 'wrong-assignment'],
      [{ match: proposed, ranks: [1, 2], assignment: assignmentFor(matchmakerKeys().ring, 'm-7') }, 'unknown-assignment-key'],
      [{ match: proposed, ranks: [1, 2], assignment: proposed }, 'invalid-assignment-token'],
    ];
    for (const [body, code] of refusals) {
      const res = await report(secret, body);
      expect(res.status, code).toBe(422);
      expect(await problem(res)).toMatchObject({ code });
    }
    expect(await skills(alice.id, bob.id)).toEqual([FRESH, FRESH]);
    expect((await report(secret, { match: proposed, ranks: [2, 1], assignment: assignmentFor(mm.ring, 'm-7') })).status).toBe(201);
    expect((await skills(bob.id))[0]!.mu).toBeGreaterThan(1500);
  });

  it('a match naming a player this issuer does not know is refused whole', async () => {
    const mm = matchmakerKeys();
    issuer = createTestIssuer({ matchKeys: mm });
    const secret = await gameServer();
    const alice = await signUp(issuer, 'alice');
    const res = await report(secret, { match: matchToken(mm.ring, 'm-3', [[alice.id], ['someone-else']]), ranks: [1, 2] });
    expect(res.status).toBe(422);
    expect(await problem(res)).toMatchObject({ code: 'unknown-player' });
    expect(await skills(alice.id)).toEqual([FRESH]);
    // Nothing was recorded: the same match with known players still counts.
    const bob = await signUp(issuer, 'bob');
    expect((await report(secret, { match: matchToken(mm.ring, 'm-3', [[alice.id], [bob.id]]), ranks: [1, 2] })).status).toBe(201);
  });
});

describe('game servers (admin)', () => {
  it('registers with a credential shown once, lists without it, refuses a name twice, revokes by name or id', async () => {
    issuer = createTestIssuer();
    const res = await admin('POST', '/v1/admin/game-servers', { name: 'eu-gs-1' });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; secret: string };
    expect(created).toMatchObject({ name: 'eu-gs-1', createdAt: new Date(T0).toISOString(), revokedAt: null, secret: expect.stringMatching(/^tbgs_[A-Za-z0-9_-]{43}$/) });
    const list = (await (await admin('GET', '/v1/admin/game-servers')).json()) as { gameServers: object[] };
    expect(list.gameServers).toEqual([{ id: created.id, name: 'eu-gs-1', createdAt: new Date(T0).toISOString(), revokedAt: null }]);
    expect(JSON.stringify(list)).not.toContain(created.secret);
    const twice = await admin('POST', '/v1/admin/game-servers', { name: 'eu-gs-1' });
    expect(twice.status).toBe(409);
    expect(await problem(twice)).toMatchObject({ code: 'game-server-name-taken' });
    expect((await admin('POST', '/v1/admin/game-servers', { name: 'no spaces' })).status).toBe(400);
    expect(await (await admin('POST', `/v1/admin/game-servers/${created.id}/revoke`)).json()).toMatchObject({ revokedAt: new Date(T0).toISOString() });
    expect((await admin('POST', '/v1/admin/game-servers/nobody/revoke')).status).toBe(404);
    const anonymous = await issuer.app.request('/v1/admin/game-servers');
    expect(anonymous.status).toBe(401);
  });
});
