import { createVerifier, signToken, toPasetoDate } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { T0, createHarness, problemOf, sharedWithAccept } from '../../test/support.ts';
import type { Allocation } from '../allocator.ts';
import type { Match } from '../results.ts';

type Harness = ReturnType<typeof createHarness>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = async (res: Response): Promise<any> => res.json();
const ACCEPT_MS = 10_000;

/** Alice and Bob queue in a mode with an accept step; one tick proposes them a match. */
async function proposedDuel(h: Harness) {
  const queuedAt = h.now();
  const alice = h.ticket('alice', { rating: 1510 });
  const bob = h.ticket('bob', { rating: 1490 });
  await h.submit(alice);
  await h.submit(bob);
  h.advance(2_000);
  expect(h.matchmaker.tick()).toBe(1);
  const answer = await body(await h.submit(alice));
  expect(answer).toMatchObject({ status: 'proposed', accepted: false });
  return { alice, bob, queuedAt, match: answer.match as { id: string; token: string }, acceptBy: answer.acceptBy as string };
}

function restarted(h: Harness, shared = sharedWithAccept(ACCEPT_MS), allocate?: (match: Match) => Promise<Allocation>) {
  h.advance(1_000);
  return createHarness({}, shared, { restartOf: h, ...(allocate ? { allocate } : {}) });
}

function verifierFor<P extends 'match' | 'assignment'>(h: Harness, purpose: P) {
  return createVerifier({ keys: h.matchKeys, purpose, issuer: 'ticketbooth-matchmaker', audience: 'ticketbooth-game-server', maxLifetimeMs: 600_000, now: h.now });
}

/** An allocator stand-in: answers each match id with one server, as the contract asks, and counts the calls. */
function allocatorStub(answer: (matchId: string) => Promise<Allocation> = async (id) => ({ connect: `10.0.0.1:${7000 + id.length}`, details: { server: `gs-${id}` } })) {
  const calls: string[] = [];
  return { calls, allocate: (match: Match) => (calls.push(match.id), answer(match.id)) };
}

describe('accept step', () => {
  it('proposes the match with a signed deadline; ready once both accept, with a signed assignment', async () => {
    const h = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const { alice, bob, match, acceptBy } = await proposedDuel(h);
    const claims = verifierFor(h, 'match').verify(match.token).claims;
    expect(claims.acceptBy).toBe(acceptBy);
    expect(Date.parse(acceptBy)).toBe(h.now() + ACCEPT_MS);

    expect(await body(await h.respond(alice, match.token, 'accept'))).toMatchObject({ status: 'proposed', accepted: true });
    // Bob has not: his view says so, and nothing is settled yet.
    expect(await body(await h.submit(bob))).toMatchObject({ status: 'proposed', accepted: false });
    expect(await body(await h.reannounce(alice, match.token, { accepted: true }))).toMatchObject({ status: 'proposed', delivered: false });

    const ready = await body(await h.respond(bob, match.token, 'accept'));
    expect(ready).toMatchObject({ status: 'ready', allocating: false, match: { id: match.id } });
    const assignment = verifierFor(h, 'assignment').verify(ready.assignment.token).claims;
    expect(assignment).toMatchObject({ match: match.id, sub: match.id, pool: { mode: 'duel', region: 'eu' } });
    expect(assignment.connect).toBeUndefined();
    expect(await body(await h.submit(alice))).toMatchObject({ status: 'ready', assignment: { token: ready.assignment.token } });
    expect(await body(await h.reannounce(alice, match.token, { accepted: true, assignment: ready.assignment.token }))).toMatchObject({ delivered: true });
  });

  it('a decline cancels: the member who accepted is back in the pool with the signed queuedAt, the decliner is out', async () => {
    const h = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const { alice, bob, match, queuedAt } = await proposedDuel(h);
    await h.respond(alice, match.token, 'accept');
    expect(await body(await h.respond(bob, match.token, 'decline'))).toMatchObject({ status: 'cancelled', reason: 'declined', requeued: false });
    expect(h.matchmaker.queued('alice')?.queuedAt).toBe(queuedAt);
    expect(h.matchmaker.queued('bob')).toBeUndefined();
    // Alice's same ticket is searching again at once; presenting the match tells her why.
    expect(await body(await h.submit(alice))).toMatchObject({ status: 'searching', queuedForMs: h.now() - queuedAt });
    expect(await body(await h.reannounce(alice, match.token, { accepted: true }))).toMatchObject({ status: 'cancelled', requeued: true, delivered: true });
    // Bob's ticket of that search does not queue him again.
    expect(await body(await h.submit(bob))).toMatchObject({ status: 'cancelled', requeued: false });
    expect(h.matchmaker.queued('bob')).toBeUndefined();
    // Alice waited longest: matched first with a newcomer.
    const carol = h.ticket('carol', { rating: 1500 });
    await h.submit(carol);
    expect(h.matchmaker.tick()).toBe(1);
    const next = await body(await h.submit(alice));
    expect(next).toMatchObject({ status: 'proposed' });
    expect(next.match.id).not.toBe(match.id);
    expect(next.match.teams.flat().map((m: { sub: string }) => m.sub).sort()).toEqual(['alice', 'carol']);
  });

  it('the deadline cancels from the signed acceptBy: acceptors requeued, no-shows out', async () => {
    const h = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const { alice, bob, match, queuedAt } = await proposedDuel(h);
    await h.respond(bob, match.token, 'accept');
    // Bob's client keeps presenting his acceptance, as the SDK does; Alice's is silent.
    for (let waited = 0; waited < ACCEPT_MS - 1_000; waited += 1_000) {
      h.advance(1_000);
      await h.reannounce(bob, match.token, { accepted: true });
      h.matchmaker.tick();
    }
    h.advance(999);
    h.matchmaker.tick();
    expect((await body(await h.submit(bob))).status).toBe('proposed');
    h.advance(1);
    h.matchmaker.tick();
    expect(await body(await h.submit(alice))).toMatchObject({ status: 'cancelled', reason: 'accept_timeout', requeued: false });
    expect(h.matchmaker.queued('bob')?.queuedAt).toBe(queuedAt);
    expect(await problemOf(await h.respond(alice, match.token, 'accept'))).toMatchObject({ status: 409, code: 'match-cancelled' });
  });

  it('leaving the queue while proposed is a decline, even after accepting; once settled it changes nothing', async () => {
    const h = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const first = await proposedDuel(h);
    await h.respond(first.alice, first.match.token, 'accept');
    await h.respond(first.bob, first.match.token, 'accept');
    expect((await h.leave(first.bob)).status).toBe(204);
    expect(await body(await h.reannounce(first.alice, first.match.token))).toMatchObject({ status: 'ready' });

    const h3 = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const third = await proposedDuel(h3);
    await h3.respond(third.alice, third.match.token, 'accept');
    // Alice accepted, then left: she is gone, the match cannot start; Bob, who had not answered yet, searches on.
    expect((await h3.leave(third.alice)).status).toBe(204);
    expect(await body(await h3.reannounce(third.bob, third.match.token))).toMatchObject({ status: 'cancelled', reason: 'declined', requeued: true });
    expect(h3.matchmaker.queued('alice')).toBeUndefined();
    expect(await problemOf(await h3.submit(third.alice))).toMatchObject({ status: 409, code: 'left' });

    const h4 = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const fourth = await proposedDuel(h4);
    await h4.respond(fourth.alice, fourth.match.token, 'accept');
    // Bob leaves without answering: a decline; Alice, who accepted, is back with her wait.
    expect((await h4.leave(fourth.bob)).status).toBe(204);
    expect(h4.matchmaker.queued('alice')?.queuedAt).toBe(fourth.queuedAt);
    expect(await body(await h4.submit(fourth.alice))).toMatchObject({ status: 'searching' });
  });

  it('a ban while proposed cancels the match as a decline: the others search on with their wait, the banned player is refused', async () => {
    const h = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const { alice, bob, match, queuedAt } = await proposedDuel(h);
    await h.respond(alice, match.token, 'accept');
    h.advance(1_000);
    h.matchmaker.revoke('bob', h.now());
    expect(await body(await h.reannounce(alice, match.token, { accepted: true }))).toMatchObject({ status: 'cancelled', reason: 'declined', requeued: true });
    expect(h.matchmaker.queued('alice')?.queuedAt).toBe(queuedAt);
    expect(h.matchmaker.queued('bob')).toBeUndefined();
    expect(await problemOf(await h.submit(bob))).toMatchObject({ status: 403, code: 'revoked' });
    expect(await problemOf(await h.respond(bob, match.token, 'accept'))).toMatchObject({ status: 403, code: 'revoked' });

    // A revocation older than the member's ticket (banned, unbanned, then matched) leaves the match alone.
    const h2 = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const second = await proposedDuel(h2);
    h2.matchmaker.revoke('bob', T0 - 60_000);
    expect(await body(await h2.submit(second.alice))).toMatchObject({ status: 'proposed' });

    // Once both accepted, the match is the game's: a ban then does not undo it.
    const h3 = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const third = await proposedDuel(h3);
    await h3.respond(third.alice, third.match.token, 'accept');
    await h3.respond(third.bob, third.match.token, 'accept');
    h3.matchmaker.revoke('bob', h3.now() + 1);
    expect(await body(await h3.reannounce(third.alice, third.match.token, { accepted: true }))).toMatchObject({ status: 'ready' });
  });

  it('a ban of a party member (not its leader) while proposed takes the whole party out; the other parties search on', async () => {
    const h = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const queuedAt = h.now();
    const parties = [
      ['carol', 'dave'],
      ['erin', 'frank'],
      ['gina', 'hank'],
      ['ivan', 'judy'],
    ].map(([leader, member]) => ({ leader: leader!, token: h.ticket(leader!, { mode: 'squad', rating: 1500, party: [{ sub: member!, rating: 1500 }] }) }));
    for (const party of parties) await h.submit(party.token);
    h.advance(2_000);
    expect(h.matchmaker.tick()).toBe(1);
    const carol = parties[0]!.token;
    const { match } = await body(await h.submit(carol));
    expect(match.teams.flat()).toHaveLength(8);
    h.matchmaker.revoke('dave', h.now());
    // The party's ticket names the banned member: refused, and nobody of it is back in the pool.
    expect(await problemOf(await h.reannounce(carol, match.token))).toMatchObject({ status: 403, code: 'revoked' });
    expect(h.matchmaker.queued('carol')).toBeUndefined();
    expect(h.matchmaker.queued('dave')).toBeUndefined();
    for (const party of parties.slice(1)) {
      expect(await body(await h.reannounce(party.token, match.token))).toMatchObject({ status: 'cancelled', requeued: true });
      expect(h.matchmaker.queued(party.leader)?.queuedAt).toBe(queuedAt);
    }
    expect(await problemOf(await h.submit(carol))).toMatchObject({ status: 403, code: 'revoked' });
  });

  it('after a restart, a ban of a member not seen since cancels the rebuilt proposal when it came after the match formed, not before', async () => {
    const first = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const { alice, bob, match } = await proposedDuel(first);
    const h = restarted(first);
    expect(await body(await h.reannounce(alice, match.token))).toMatchObject({ status: 'proposed' });
    // Banned, unbanned, then matched: that old revocation is no reason to undo the match.
    h.matchmaker.revoke('bob', T0 - 60_000);
    expect(await body(await h.reannounce(alice, match.token))).toMatchObject({ status: 'proposed' });
    h.advance(6_000);
    h.matchmaker.revoke('bob', h.now());
    expect(await body(await h.reannounce(alice, match.token))).toMatchObject({ status: 'cancelled', reason: 'declined', requeued: true });
    expect(await problemOf(await h.submit(bob))).toMatchObject({ status: 403, code: 'revoked' });
  });

  it('refuses what it cannot do, and changes nobody else', async () => {
    const h = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const { alice, bob, match } = await proposedDuel(h);
    const carol = h.ticket('carol');
    // Carol cannot answer for anyone: her own ticket names her, and she is not in the match.
    expect(await problemOf(await h.respond(carol, match.token, 'accept'))).toMatchObject({ status: 403, code: 'not-in-match' });
    expect(await problemOf(await h.respond(carol, match.token, 'decline'))).toMatchObject({ status: 403, code: 'not-in-match' });
    expect(await problemOf(await h.reannounce(carol, match.token, { accepted: true }))).toMatchObject({ status: 403, code: 'not-in-match' });
    // A ticket for Alice signed by anyone but the issuer is no ticket.
    const forged = createHarness().ticket('alice');
    expect((await problemOf(await h.respond(forged, match.token, 'accept'))).status).toBe(401);
    expect((await problemOf(await h.respond(alice, `${match.token.slice(0, -4)}AAAA`, 'accept'))).status).toBe(401);
    expect(await problemOf(await h.app.request('/v1/matches/accept', { method: 'POST', headers: { ...h.auth(alice), 'content-type': 'application/json' }, body: '{"match":1}' }))).toMatchObject({ status: 400 });
    expect(await body(await h.submit(bob))).toMatchObject({ status: 'proposed', accepted: false });
    expect(await body(await h.submit(alice))).toMatchObject({ status: 'proposed', accepted: false });

    await h.respond(alice, match.token, 'accept');
    expect(await problemOf(await h.respond(alice, match.token, 'accept'))).toMatchObject({ status: 409, code: 'already-accepted' });
    expect(await problemOf(await h.respond(alice, match.token, 'decline'))).toMatchObject({ status: 409, code: 'already-accepted' });
    await h.respond(bob, match.token, 'decline');
    expect(await problemOf(await h.respond(bob, match.token, 'accept'))).toMatchObject({ status: 409, code: 'match-cancelled' });
    // The re-sent acceptance of a cancelled match is an answer, not an error: the client learns why.
    expect(await body(await h.reannounce(alice, match.token, { accepted: true }))).toMatchObject({ status: 'cancelled', requeued: true });
  });

  it('a match of a mode without accept step has nothing to accept', async () => {
    const h = createHarness();
    const [alice, bob] = [h.ticket('alice'), h.ticket('bob')];
    await h.submit(alice);
    await h.submit(bob);
    h.advance(2_000);
    h.matchmaker.tick();
    const { match } = await body(await h.submit(alice));
    expect(await problemOf(await h.respond(alice, match.token, 'accept'))).toMatchObject({ status: 409, code: 'no-accept-step' });
  });

  it('a restart rebuilds the accept phase from re-sent acceptances, and waits for them past the deadline', async () => {
    const first = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const { alice, bob, match } = await proposedDuel(first);
    await first.respond(alice, match.token, 'accept');
    // The matchmaker dies after the deadline would have passed: the warm-up still lets members come back.
    first.advance(ACCEPT_MS);
    const h = restarted(first);
    expect(await body(await h.reannounce(alice, match.token, { accepted: true }))).toMatchObject({ status: 'proposed', accepted: true, delivered: false });
    h.matchmaker.tick();
    expect(await body(await h.submit(bob))).toMatchObject({ status: 'proposed', accepted: false });
    // Bob had accepted before the crash too, and re-sends it: ready, never matched again.
    expect(await body(await h.reannounce(bob, match.token, { accepted: true }))).toMatchObject({ status: 'ready', allocating: false });
    h.advance(3_000);
    expect(h.matchmaker.tick()).toBe(0);
    expect((await body(await h.submit(alice))).match.id).toBe(match.id);
  });

  it('after a restart, a member who does not come back with an acceptance lets the deadline cancel once the warm-up is over', async () => {
    const first = createHarness({}, sharedWithAccept(ACCEPT_MS));
    const { alice, bob, match, queuedAt } = await proposedDuel(first);
    await first.respond(alice, match.token, 'accept');
    first.advance(ACCEPT_MS);
    const h = restarted(first);
    await h.reannounce(alice, match.token, { accepted: true });
    await h.reannounce(bob, match.token);
    h.advance(3_000);
    h.matchmaker.tick();
    expect(await body(await h.reannounce(alice, match.token, { accepted: true }))).toMatchObject({ status: 'cancelled', reason: 'accept_timeout', requeued: true });
    // Her ticket came with her presentation: she is in the pool again with her wait.
    expect(h.matchmaker.queued('alice')?.queuedAt).toBe(queuedAt);
    expect(await body(await h.submit(bob))).toMatchObject({ status: 'cancelled', requeued: false });
  });
});

describe('allocation', () => {
  it('a ready match is allocated once; members get the server in a signed assignment', async () => {
    const stub = allocatorStub();
    const h = createHarness({}, undefined, stub);
    const [alice, bob] = [h.ticket('alice'), h.ticket('bob')];
    await h.submit(alice);
    await h.submit(bob);
    h.advance(2_000);
    h.matchmaker.tick();
    // The allocator answers on a later turn: meanwhile the match is ready and allocating.
    const first = await body(await h.submit(alice));
    expect(first).toMatchObject({ status: 'ready', allocating: true });
    await new Promise((resolve) => setImmediate(resolve));
    const assigned = await body(await h.submit(bob));
    expect(assigned).toMatchObject({ status: 'assigned', assignment: { connect: `10.0.0.1:${7000 + first.match.id.length}` } });
    expect(verifierFor(h, 'assignment').verify(assigned.assignment.token).claims).toMatchObject({ match: first.match.id, connect: assigned.assignment.connect, details: { server: `gs-${first.match.id}` } });
    expect(stub.calls).toEqual([first.match.id]);
  });

  it('an allocation that fails cancels the match and puts every member back with the wait kept', async () => {
    const stub = allocatorStub(async () => {
      throw new Error('no servers');
    });
    const h = createHarness({}, undefined, stub);
    const queuedAt = h.now();
    const [alice, bob] = [h.ticket('alice'), h.ticket('bob')];
    await h.submit(alice);
    await h.submit(bob);
    h.advance(2_000);
    h.matchmaker.tick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await body(await h.submit(alice))).toMatchObject({ status: 'searching', queuedForMs: 2_000 });
    expect(h.matchmaker.queued('bob')?.queuedAt).toBe(queuedAt);
    expect(await (await h.app.request('/metrics')).text()).toMatch(/^ticketbooth_matchmaker_match_lifecycle_total\{event="allocation_failed"\} 1$/m);
  });

  it('a restart mid-allocation calls the allocator again with the same match id; a held assignment needs no call', async () => {
    const never = allocatorStub(() => new Promise<Allocation>(() => {}));
    const first = createHarness({}, sharedWithAccept(ACCEPT_MS), never);
    const { alice, bob, match } = await proposedDuel(first);
    await first.respond(alice, match.token, 'accept');
    expect(await body(await first.respond(bob, match.token, 'accept'))).toMatchObject({ status: 'ready', allocating: true });
    expect(never.calls).toEqual([match.id]);

    const again = allocatorStub();
    const h = restarted(first, sharedWithAccept(ACCEPT_MS), again.allocate);
    await h.reannounce(alice, match.token, { accepted: true });
    expect(again.calls).toEqual([]);
    expect(await body(await h.reannounce(bob, match.token, { accepted: true }))).toMatchObject({ status: 'ready', allocating: true });
    expect(again.calls).toEqual([match.id]);
    await new Promise((resolve) => setImmediate(resolve));
    const assigned = await body(await h.reannounce(alice, match.token, { accepted: true }));
    expect(assigned).toMatchObject({ status: 'assigned', delivered: false });

    // Another restart after the assignment: a member holding it settles the match at once.
    const third = allocatorStub();
    const h3 = restarted(h, sharedWithAccept(ACCEPT_MS), third.allocate);
    expect(await body(await h3.reannounce(bob, match.token, { accepted: true, assignment: assigned.assignment.token }))).toMatchObject({
      status: 'assigned',
      assignment: { connect: assigned.assignment.connect },
    });
    expect(await body(await h3.submit(alice))).toMatchObject({ status: 'assigned' });
    expect(third.calls).toEqual([]);
    // An assignment of another match, or a forged one, is refused, not applied.
    const at = h3.now();
    const elsewhere = signToken(h3.matchKeys.signingKey(), 'assignment', {
      iss: 'ticketbooth-matchmaker', sub: 'match-x', aud: 'ticketbooth-game-server', iat: toPasetoDate(at), exp: toPasetoDate(at + 60_000), jti: 'match-x',
      match: 'match-x', pool: { mode: 'duel', region: 'eu' }, connect: '10.9.9.9:1',
    });
    expect(await problemOf(await h3.reannounce(bob, match.token, { assignment: elsewhere }))).toMatchObject({ status: 422, code: 'assignment-mismatch' });
    expect(await problemOf(await h3.reannounce(bob, match.token, { assignment: `${assigned.assignment.token.slice(0, -4)}AAAA` }))).toMatchObject({ status: 401 });
    expect(await body(await h3.submit(alice))).toMatchObject({ status: 'assigned', assignment: { connect: assigned.assignment.connect } });
  });
});
