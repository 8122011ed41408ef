// POST /v1/tickets with `party`: one ticket for the whole party, byte for byte the same for every member.
import { createVerifier, keyRingFromFile, publicKeySetSchema, toPasetoDate, type TicketClaims } from '@ticketbooth/tickets';
import { afterEach, describe, expect, it } from 'vitest';
import { T0, bearer, createTestIssuer, jsonRequest, signUp, type TestIssuer } from '../testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

interface Player {
  id: string;
  token: string;
}
interface TicketBody {
  ticket: string;
  matchmakerUrl: string;
  resubmitAfterMs: number;
  expiresAt: string;
  party?: { id: string; version: number };
}

const TTL = 5 * 60_000;
// T0 is a multiple of the window (half a ticket lifetime): a window starts there.
const WINDOW = TTL / 2;

const requestTicket = (player: Player, body: unknown, headers: Record<string, string> = {}) =>
  issuer.app.request('/v1/tickets', jsonRequest('POST', body, { ...bearer(player.token), ...headers }));

async function okTicket(player: Player, body: unknown, headers: Record<string, string> = {}): Promise<TicketBody> {
  const res = await requestTicket(player, body, headers);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as TicketBody;
}

async function claimsOf(ticket: string): Promise<Readonly<TicketClaims>> {
  const ring = keyRingFromFile(publicKeySetSchema.parse(await (await issuer.app.request('/v1/keys')).json()));
  const verifier = createVerifier({
    keys: ring,
    purpose: 'ticket',
    issuer: 'ticketbooth-issuer',
    audience: 'ticketbooth-matchmaker',
    maxLifetimeMs: TTL,
    now: issuer.now,
  });
  return verifier.verify(ticket).claims;
}

/** Alice leads a squad party with Bob and Carol (Carol joins a second after the window starts); Dave and Erin are outside. */
async function setup() {
  issuer = createTestIssuer();
  const [alice, bob, carol, dave, erin] = await Promise.all(['alice', 'bob', 'carol', 'dave', 'erin'].map((n) => signUp(issuer, n)));
  const party = await issuer.store.createParty({ id: 'party-1', mode: 'squad', leaderId: alice!.id, at: T0 - 60_000 });
  await issuer.store.joinParty(party.id, bob!.id, T0 - 30_000, 4);
  issuer.advance(1_000);
  const joined = await issuer.app.request('/v1/parties/party-1/members', jsonRequest('POST', { invite: await inviteFor(alice!) }, bearer(carol!.token)));
  expect(joined.status).toBe(200);
  return { alice: alice!, bob: bob!, carol: carol!, dave: dave!, erin: erin! };
}

async function inviteFor(leader: Player): Promise<string> {
  return ((await (await issuer.app.request('/v1/parties/party-1/invites', { method: 'POST', headers: bearer(leader.token) })).json()) as { token: string }).token;
}

async function problemCode(res: Response): Promise<string> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return `${res.status} ${((await res.json()) as { code: string }).code}`;
}

const squad = { mode: 'squad', region: 'eu', party: 'party-1' };

describe('POST /v1/tickets for a party', () => {
  it('gives every member the very same ticket, led by the leader, with each member’s rating', async () => {
    const { alice, bob, carol } = await setup();
    await issuer.store.setRating(bob.id, 'squad', 1720, T0);
    await issuer.store.setRating(bob.id, 'duel', 1100, T0);
    const fromBob = await okTicket(bob, squad);
    // Within the same resubmit interval (5 s), asking anew; and a minute on, with the ticket Bob shares.
    issuer.advance(3_000);
    const fromAlice = await okTicket(alice, squad);
    issuer.advance(60_000);
    const fromCarol = await okTicket(carol, { ...squad, previousTicket: fromBob.ticket });
    expect(fromAlice.ticket).toBe(fromBob.ticket);
    expect(fromCarol.ticket).toBe(fromBob.ticket);
    expect(fromBob).toEqual({
      ticket: expect.any(String),
      matchmakerUrl: 'http://127.0.0.1:8701',
      resubmitAfterMs: 5_000,
      // iat is Carol's joining, which came after the window started.
      expiresAt: toPasetoDate(T0 + 1_000 + TTL),
      party: { id: 'party-1', version: 3 },
    });
    expect(await claimsOf(fromBob.ticket)).toEqual({
      iss: 'ticketbooth-issuer',
      sub: alice.id,
      aud: 'ticketbooth-matchmaker',
      iat: toPasetoDate(T0 + 1_000),
      exp: toPasetoDate(T0 + 1_000 + TTL),
      jti: expect.any(String),
      pool: { mode: 'squad', region: 'eu' },
      rating: 1500,
      queuedAt: toPasetoDate(T0 + 1_000),
      party: [
        { sub: bob.id, rating: 1720 },
        { sub: carol.id, rating: 1500 },
      ],
    });
  });

  it('starts a new search at the current resubmit interval, not at the window or the party\'s forming', async () => {
    const { alice, bob } = await setup();
    // The party formed at T0 + 1 s; its members queue 20 s later.
    issuer.advance(21_000);
    const first = await okTicket(alice, squad);
    const claims = await claimsOf(first.ticket);
    expect(claims.iat).toBe(toPasetoDate(T0 + 1_000));
    expect(claims.queuedAt).toBe(toPasetoDate(T0 + 20_000));
    // A member asking anew in a later interval gets a search of its own start; the same group, so the matchmaker keeps one entry.
    issuer.advance(5_000);
    expect((await claimsOf((await okTicket(bob, squad)).ticket)).queuedAt).toBe(toPasetoDate(T0 + 25_000));
  });

  it('starts a new ticket in each window and after each membership change, listing who is in now', async () => {
    const { alice, bob, carol, dave } = await setup();
    const first = await okTicket(bob, squad);
    issuer.advance(WINDOW);
    const nextWindow = await okTicket(carol, squad);
    expect(nextWindow.ticket).not.toBe(first.ticket);
    expect((await claimsOf(nextWindow.ticket)).iat).toBe(toPasetoDate(T0 + WINDOW));
    expect((await okTicket(alice, squad)).ticket).toBe(nextWindow.ticket);

    issuer.advance(10_000);
    await issuer.app.request(`/v1/parties/party-1/members/${carol.id}`, { method: 'DELETE', headers: bearer(carol.token) });
    const afterLeave = await okTicket(alice, squad);
    expect(afterLeave.party).toEqual({ id: 'party-1', version: 4 });
    expect((await claimsOf(afterLeave.ticket)).party).toEqual([{ sub: bob.id, rating: 1500 }]);
    expect((await claimsOf(afterLeave.ticket)).iat).toBe(toPasetoDate(T0 + 1_000 + WINDOW + 10_000));

    await issuer.store.joinParty('party-1', dave.id, issuer.now(), 4);
    const afterJoin = await okTicket(bob, squad);
    expect(afterJoin.ticket).not.toBe(afterLeave.ticket);
    expect((await claimsOf(afterJoin.ticket)).party?.map((m) => m.sub)).toEqual([bob.id, dave.id]);
    expect((await okTicket(dave, squad)).ticket).toBe(afterJoin.ticket);
  });

  it('keeps queuedAt across a refresh with the party’s previous ticket, whichever member holds it; a new composition starts again', async () => {
    const { alice, bob, carol, dave } = await setup();
    const first = await okTicket(alice, squad);
    const daveSolo = await okTicket(dave, { mode: 'squad', region: 'eu' });
    issuer.advance(WINDOW * 2);
    // Carol refreshes with the ticket Alice got: the same ticket, so the same search.
    const refreshed = await okTicket(carol, { ...squad, previousTicket: first.ticket });
    expect((await claimsOf(refreshed.ticket)).queuedAt).toBe(toPasetoDate(T0 + 1_000));
    expect((await okTicket(bob, { ...squad, previousTicket: refreshed.ticket })).ticket).toBe(refreshed.ticket);

    await issuer.store.joinParty('party-1', dave.id, issuer.now(), 4);
    const recomposed = await okTicket(alice, { ...squad, previousTicket: refreshed.ticket });
    expect((await claimsOf(recomposed.ticket)).queuedAt).toBe(toPasetoDate(issuer.now()));
    const otherRegion = await okTicket(alice, { ...squad, region: 'na', previousTicket: recomposed.ticket });
    expect((await claimsOf(otherRegion.ticket)).queuedAt).toBe(toPasetoDate(issuer.now()));
    // A member's own earlier solo search is not the party's search either.
    const fromDave = await okTicket(dave, { ...squad, previousTicket: daveSolo.ticket });
    expect(fromDave.ticket).toBe(recomposed.ticket);
  });

  it('refuses a previous ticket that is neither the caller’s nor their leader’s', async () => {
    const { bob, erin } = await setup();
    const erins = await okTicket(erin, { mode: 'squad', region: 'eu' });
    const res = await requestTicket(bob, { ...squad, previousTicket: erins.ticket });
    expect(await problemCode(res)).toBe('403 ticket-not-yours');
  });

  it('refuses outsiders, another mode, and a party with a banned member; the party is left as it was', async () => {
    const { alice, bob, carol, dave } = await setup();
    const before = await issuer.store.getParty('party-1');
    expect(await problemCode(await requestTicket(dave, squad))).toBe('404 party-not-found');
    expect(await problemCode(await requestTicket(dave, { ...squad, party: 'no-such-party' }))).toBe('404 party-not-found');
    const mismatch = await requestTicket(alice, { ...squad, mode: 'duel' });
    expect(await problemCode(mismatch)).toBe('422 party-mode-mismatch');
    expect(await problemCode(await requestTicket(alice, { ...squad, mode: 'chess' }))).toBe('422 unknown-mode');

    await issuer.store.banUser(carol.id, 'smurfing', issuer.now());
    for (const member of [alice, bob]) {
      const res = await requestTicket(member, squad);
      expect(await problemCode(res.clone())).toBe('403 party-member-banned');
      expect(((await res.json()) as { detail: string }).detail).toContain(carol.id);
    }
    expect(await issuer.store.getParty('party-1')).toEqual(before);
    // The leader removes the banned member; the party queues again.
    expect((await issuer.app.request(`/v1/parties/party-1/members/${carol.id}`, { method: 'DELETE', headers: bearer(alice.token) })).status).toBe(204);
    expect((await okTicket(bob, squad)).party).toEqual({ id: 'party-1', version: 4 });
  });

  it('gives a party of one an ordinary solo ticket, and a member who asks without the party a solo one', async () => {
    const { alice, bob, carol } = await setup();
    const bobSolo = await okTicket(bob, { mode: 'squad', region: 'eu' });
    expect(bobSolo.party).toBeUndefined();
    expect(await claimsOf(bobSolo.ticket)).toMatchObject({ sub: bob.id, iat: toPasetoDate(T0 + 1_000) });
    expect((await claimsOf(bobSolo.ticket)).party).toBeUndefined();

    for (const member of [bob, carol]) {
      await issuer.app.request(`/v1/parties/party-1/members/${member.id}`, { method: 'DELETE', headers: bearer(member.token) });
    }
    const [a, b] = [await okTicket(alice, squad), await okTicket(alice, squad)];
    expect(a.party).toBeUndefined();
    expect(Object.keys(a)).toEqual(['ticket', 'matchmakerUrl', 'resubmitAfterMs', 'expiresAt']);
    expect(await claimsOf(a.ticket)).toMatchObject({ sub: alice.id, iat: toPasetoDate(T0 + 1_000) });
    expect((await claimsOf(a.ticket)).party).toBeUndefined();
    expect(b.ticket).not.toBe(a.ticket);
  });

  it('checks an Idempotency-Key but needs none: the party ticket is the same with or without one', async () => {
    const { alice, bob } = await setup();
    const plain = await okTicket(alice, squad);
    expect((await okTicket(bob, squad, { 'idempotency-key': `${T0}.r4nd0m-part-0123456789` })).ticket).toBe(plain.ticket);
    expect(await problemCode(await requestTicket(bob, squad, { 'idempotency-key': 'nope' }))).toBe('400 invalid-idempotency-key');
  });

  it('signs different latencies into different tickets with different ids', async () => {
    const { alice, bob } = await setup();
    const near = await okTicket(alice, { ...squad, latencies: { eu: 20, na: 90 } });
    expect((await okTicket(bob, { ...squad, latencies: { na: 90, eu: 20 } })).ticket).toBe(near.ticket);
    const far = await okTicket(bob, { ...squad, latencies: { eu: 60 } });
    expect((await claimsOf(far.ticket)).jti).not.toBe((await claimsOf(near.ticket)).jti);
  });
});
