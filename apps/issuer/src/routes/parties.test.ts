import { createSigningKey, createVerifier, generateSeed, signToken, toPasetoDate } from '@ticketbooth/tickets';
import { afterEach, describe, expect, it } from 'vitest';
import { T0, bearer, createTestIssuer, jsonRequest, signUp, type TestIssuer } from '../testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

interface Player {
  id: string;
  token: string;
  name: string;
}
interface PartyBody {
  id: string;
  mode: string;
  leader: string;
  version: number;
  maxSize: number;
  members: { id: string; username: string }[];
}
interface Invite {
  token: string;
  expiresAt: string;
}

const MODES = {
  duel: { teams: 2, teamSize: 1 },
  squad: { teams: 2, teamSize: 4, maxPartySize: 3 },
  brawl: { teams: 4, teamSize: 2, maxPartySize: 1 },
};

/** An issuer whose squad parties hold 3, with five players signed up. */
async function setup(): Promise<Player[]> {
  issuer = createTestIssuer({ shared: { modes: MODES } });
  const names = ['alice', 'bob', 'carol', 'dave', 'erin'];
  return Promise.all(names.map(async (name) => ({ ...(await signUp(issuer, name)), name })));
}

async function call(method: string, path: string, player: Player | string, body?: unknown): Promise<Response> {
  const auth = bearer(typeof player === 'string' ? player : player.token);
  return issuer.app.request(path, body === undefined ? { method, headers: auth } : jsonRequest(method, body, auth));
}

async function ok<T>(res: Response, status = 200): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as T;
}

async function createParty(leader: Player, mode = 'squad') {
  return ok<{ party: PartyBody; invite: Invite }>(await call('POST', '/v1/parties', leader, { mode }), 201);
}

async function join(player: Player, partyId: string, invite: string) {
  return ok<{ party: PartyBody }>(await call('POST', `/v1/parties/${partyId}/members`, player, { invite }));
}

/** Every player's party as the store has it: every party has a member, so this is all of them. */
const everyParty = (players: Player[]) => Promise.all(players.map((p) => issuer.store.partyOf(p.id)));

/** Asserts the problem answer, and that the request changed no party. */
async function refused(players: Player[], request: () => Response | Promise<Response>, status: number, code: string) {
  const before = await everyParty(players);
  const res = await request();
  expect(res.status, await res.clone().text()).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `/problems/${code}`, code, status });
  expect(await everyParty(players)).toEqual(before);
  return body;
}

const view = (leader: Player, members: Player[], extra: Partial<PartyBody> = {}) => ({
  id: expect.any(String),
  mode: 'squad',
  leader: leader.id,
  version: members.length,
  maxSize: 3,
  members: members.map((m) => ({ id: m.id, username: m.name })),
  ...extra,
});

describe('POST /v1/parties', () => {
  it('creates a party led by the caller, with a signed invite only the issuer reads', async () => {
    const [alice] = await setup();
    const { party, invite } = await createParty(alice!);
    expect(party).toEqual(view(alice!, [alice!], { version: 1 }));
    expect(invite.expiresAt).toBe(toPasetoDate(T0 + 10 * 60_000));
    const verifier = createVerifier({
      keys: issuer.keys,
      purpose: 'invite',
      issuer: 'ticketbooth-issuer',
      audience: 'ticketbooth-issuer',
      maxLifetimeMs: 10 * 60_000,
      now: issuer.now,
    });
    expect(verifier.verify(invite.token).claims).toEqual({
      iss: 'ticketbooth-issuer',
      sub: alice!.id,
      aud: 'ticketbooth-issuer',
      iat: toPasetoDate(T0),
      exp: toPasetoDate(T0 + 10 * 60_000),
      jti: expect.any(String),
      party: party.id,
    });
    expect(await issuer.store.partyOf(alice!.id)).toMatchObject({ id: party.id, leaderId: alice!.id });
  });

  it('refuses a second party for a player in one, a mode without parties, and a bad body', async () => {
    const players = await setup();
    const [alice, bob] = players;
    const { party, invite } = await createParty(alice!);
    await join(bob!, party.id, invite.token);
    for (const player of [alice!, bob!]) {
      await refused(players, () => call('POST', '/v1/parties', player, { mode: 'squad' }), 409, 'already-in-party');
    }
    const unknown = await refused(players, () => call('POST', '/v1/parties', players[2]!, { mode: 'chess' }), 422, 'unknown-mode');
    expect(unknown.detail).toBe('"chess"; modes offered: duel, squad, brawl');
    // duel: teams of one; brawl: maxPartySize 1.
    for (const mode of ['duel', 'brawl']) {
      await refused(players, () => call('POST', '/v1/parties', players[2]!, { mode }), 422, 'parties-not-allowed');
    }
    for (const body of [{}, { mode: 'Squad' }, { mode: 'squad', leader: alice!.id }]) {
      await refused(players, () => call('POST', '/v1/parties', players[2]!, body), 400, 'invalid-request');
    }
    await refused(players, () => issuer.app.request('/v1/parties', jsonRequest('POST', { mode: 'squad' })), 401, 'missing-token');
  });
});

describe('GET /v1/parties/current and /v1/parties/{id}', () => {
  it('shows the party to its members only; to anyone else it does not exist', async () => {
    const players = await setup();
    const [alice, bob, carol] = players;
    const { party, invite } = await createParty(alice!);
    await join(bob!, party.id, invite.token);
    for (const member of [alice!, bob!]) {
      expect(await ok(await call('GET', '/v1/parties/current', member))).toEqual({ party: view(alice!, [alice!, bob!], { id: party.id }) });
      expect(await ok(await call('GET', `/v1/parties/${party.id}`, member))).toEqual({ party: view(alice!, [alice!, bob!], { id: party.id }) });
    }
    const hidden = await refused(players, () => call('GET', `/v1/parties/${party.id}`, carol!), 404, 'party-not-found');
    const missing = await refused(players, () => call('GET', '/v1/parties/no-such-party', carol!), 404, 'party-not-found');
    expect(hidden).toEqual(missing);
    await refused(players, () => call('GET', '/v1/parties/current', carol!), 404, 'not-in-party');
    await refused(players, () => call('GET', `/v1/parties/${'x'.repeat(129)}`, alice!), 400, 'invalid-request');
  });
});

describe('POST /v1/parties/{id}/invites', () => {
  it('gives the leader a fresh invite; a member is refused, an outsider told nothing', async () => {
    const players = await setup();
    const [alice, bob, carol] = players;
    const { party, invite } = await createParty(alice!);
    await join(bob!, party.id, invite.token);
    issuer.advance(60_000);
    const fresh = await ok<Invite>(await call('POST', `/v1/parties/${party.id}/invites`, alice!));
    expect(fresh.expiresAt).toBe(toPasetoDate(T0 + 11 * 60_000));
    expect(fresh.token).not.toBe(invite.token);
    await refused(players, () => call('POST', `/v1/parties/${party.id}/invites`, bob!), 403, 'not-party-leader');
    await refused(players, () => call('POST', `/v1/parties/${party.id}/invites`, carol!), 404, 'party-not-found');
  });
});

describe('POST /v1/parties/{id}/members', () => {
  it('lets a player with an invite join, in order, up to the mode’s maxPartySize', async () => {
    const players = await setup();
    const [alice, bob, carol, dave] = players;
    const { party, invite } = await createParty(alice!);
    expect((await join(carol!, party.id, invite.token)).party).toEqual(view(alice!, [alice!, carol!], { id: party.id }));
    expect((await join(bob!, party.id, invite.token)).party).toEqual(view(alice!, [alice!, carol!, bob!], { id: party.id }));
    const full = await refused(players, () => call('POST', `/v1/parties/${party.id}/members`, dave!, { invite: invite.token }), 409, 'party-full');
    expect(full.detail).toBe('at most 3 players in a party of this mode');
    // A retried join that went through answers as it did, and changes nothing.
    expect((await join(bob!, party.id, invite.token)).party).toMatchObject({ version: 3 });
  });

  it('refuses invites that are forged, malformed, another party’s, another purpose or expired', async () => {
    const players = await setup();
    const [alice, bob, carol] = players;
    const { party, invite } = await createParty(alice!);
    const other = await createParty(carol!);
    const joinWith = (token: string) => () => call('POST', `/v1/parties/${party.id}/members`, bob!, { invite: token });

    const forged = signToken(createSigningKey(generateSeed()), 'invite', {
      iss: 'ticketbooth-issuer',
      sub: alice!.id,
      aud: 'ticketbooth-issuer',
      iat: toPasetoDate(T0),
      exp: toPasetoDate(T0 + 60_000),
      jti: 'forged',
      party: party.id,
    });
    const tampered = `${invite.token.slice(0, 40)}${invite.token[40] === 'A' ? 'B' : 'A'}${invite.token.slice(41)}`;
    const ticket = (await ok<{ ticket: string }>(await call('POST', '/v1/tickets', alice!, { mode: 'squad', region: 'eu' }), 200)).ticket;
    const cases: Array<[string, string]> = [
      [forged, 'unknown_key'],
      [tampered, 'bad_signature'],
      ['not-a-token', 'malformed'],
      [alice!.token, 'wrong_purpose'],
      [ticket, 'wrong_purpose'],
      [other.invite.token, 'an invite into another party'],
    ];
    for (const [token, reason] of cases) {
      const body = await refused(players, joinWith(token), 400, 'invalid-invite');
      expect(body.detail).toContain(reason);
    }
    await refused(players, () => call('POST', `/v1/parties/${party.id}/members`, bob!, {}), 400, 'invalid-request');

    issuer.advance(10 * 60_000);
    await refused(players, joinWith(invite.token), 400, 'invite-expired');
  });

  it('refuses an invite as a session: an invite opens no door but this one', async () => {
    const players = await setup();
    const { invite } = await createParty(players[0]!);
    const body = await refused(players, () => call('GET', '/v1/parties/current', invite.token), 401, 'wrong-purpose');
    expect(body.detail).toMatch(/invite/);
    await refused(players, () => call('POST', '/v1/tickets', invite.token, { mode: 'squad', region: 'eu' }), 401, 'wrong-purpose');
  });

  it('refuses a disbanded party and a player in another party', async () => {
    const players = await setup();
    const [alice, bob, carol] = players;
    const { party, invite } = await createParty(alice!);
    await createParty(carol!);
    await refused(players, () => call('POST', `/v1/parties/${party.id}/members`, carol!, { invite: invite.token }), 409, 'already-in-party');
    expect((await call('DELETE', `/v1/parties/${party.id}`, alice!)).status).toBe(204);
    await refused(players, () => call('POST', `/v1/parties/${party.id}/members`, bob!, { invite: invite.token }), 404, 'party-not-found');
  });
});

describe('DELETE /v1/parties/{id}/members/{userId}', () => {
  it('lets a member leave and the leader remove a member, moving the version on', async () => {
    const [alice, bob, carol] = await setup();
    const { party, invite } = await createParty(alice!);
    await join(bob!, party.id, invite.token);
    await join(carol!, party.id, invite.token);
    expect((await call('DELETE', `/v1/parties/${party.id}/members/${bob!.id}`, bob!)).status).toBe(204);
    expect((await call('DELETE', `/v1/parties/${party.id}/members/${carol!.id}`, alice!)).status).toBe(204);
    await refused([alice!, bob!, carol!], () => call('DELETE', `/v1/parties/${party.id}/members/me`, bob!), 404, 'party-not-found');
    expect(await ok(await call('GET', '/v1/parties/current', alice!))).toEqual({ party: view(alice!, [alice!], { id: party.id, version: 5 }) });
    expect(await issuer.store.partyOf(bob!.id)).toBeUndefined();
    expect(await issuer.store.partyOf(carol!.id)).toBeUndefined();
  });

  it('disbands the party when the leader leaves (`me` is the caller, as in /v1/accounts/me)', async () => {
    const [alice, bob] = await setup();
    const { party, invite } = await createParty(alice!);
    await join(bob!, party.id, invite.token);
    expect((await call('DELETE', `/v1/parties/${party.id}/members/me`, alice!)).status).toBe(204);
    expect(await issuer.store.getParty(party.id)).toBeUndefined();
    expect((await call('GET', '/v1/parties/current', bob!)).status).toBe(404);
  });

  it('refuses removals by anyone but the leader, of a non-member, and by outsiders', async () => {
    const players = await setup();
    const [alice, bob, carol, dave] = players;
    const { party, invite } = await createParty(alice!);
    await join(bob!, party.id, invite.token);
    await join(carol!, party.id, invite.token);
    const remove = (caller: Player, target: string) => () => call('DELETE', `/v1/parties/${party.id}/members/${target}`, caller);
    await refused(players, remove(bob!, carol!.id), 403, 'not-party-leader');
    await refused(players, remove(bob!, alice!.id), 403, 'not-party-leader');
    await refused(players, remove(alice!, dave!.id), 404, 'not-a-member');
    await refused(players, remove(alice!, 'no-such-user'), 404, 'not-a-member');
    await refused(players, remove(dave!, dave!.id), 404, 'party-not-found');
    await refused(players, remove(dave!, bob!.id), 404, 'party-not-found');
  });
});

describe('DELETE /v1/parties/{id}', () => {
  it('lets the leader disband; members and outsiders are refused', async () => {
    const players = await setup();
    const [alice, bob, carol] = players;
    const { party, invite } = await createParty(alice!);
    await join(bob!, party.id, invite.token);
    await refused(players, () => call('DELETE', `/v1/parties/${party.id}`, bob!), 403, 'not-party-leader');
    await refused(players, () => call('DELETE', `/v1/parties/${party.id}`, carol!), 404, 'party-not-found');
    expect((await call('DELETE', `/v1/parties/${party.id}`, alice!)).status).toBe(204);
    expect(await everyParty(players)).toEqual(players.map(() => undefined));
    await refused(players, () => call('DELETE', `/v1/parties/${party.id}`, alice!), 404, 'party-not-found');
    // Free to start again.
    expect((await createParty(bob!)).party.leader).toBe(bob!.id);
  });
});
