import { describe, expect, it } from 'vitest';
import { Deliveries } from './deliveries.ts';
import { Queue, type TicketFacts } from './pool.ts';
import { Results, type MatchResult } from './results.ts';
import { plainView } from './lifecycle.ts';
import { createDecide } from './submission.ts';
import { Warmup } from './warmup.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const MAX_WAIT = 60_000;

function facts(sub: string, over: Partial<TicketFacts> = {}): TicketFacts {
  return { sub, pool: 'duel/eu', rating: 1500, queuedAt: T0, party: undefined, issuedAt: T0, expiresAt: T0 + 30_000, ticketId: `t-${sub}`, kid: 'k', ...over };
}

/** Every transition on one fixed clock, over the real queue, results and deliveries. */
function setup(options: { maxPlayers?: number } = {}) {
  let clock = T0;
  const queue = new Queue({ staleAfterMs: 10_000, maxWaitMs: (pool) => (pool === 'squad/eu' ? MAX_WAIT : undefined) });
  const results = new Results(30_000);
  const deliveries = new Deliveries();
  const revoked = new Set<string>();
  const left = new Set<string>();
  const decide = createDecide({
    queue,
    results,
    deliveries,
    warmup: new Warmup({ minMs: 1_000, intervalMs: 1_000 }),
    serves: (pool) => pool === 'duel/eu' || pool === 'squad/eu',
    isRevoked: (f) => revoked.has(f.sub),
    hasLeft: (f) => left.has(f.sub),
    viewOf: (result) => plainView(result.match),
    maxPlayers: options.maxPlayers ?? 100,
    now: () => clock,
  });
  const submit = (f: TicketFacts) => decide({ facts: f, entry: queue.findByTicket(f.ticketId) });
  return { queue, results, deliveries, revoked, left, submit, advance: (ms: number) => (clock += ms) };
}

function matchOf(subs: string[], queuedAt: number): MatchResult {
  return { match: { id: 'm1', pool: { mode: 'duel', region: 'eu' }, teams: subs.map((sub) => [{ sub, rating: 1500 }]), token: 'v4.public.x' }, queuedAt, expiresAt: T0 + 30_000 };
}

describe('a submission, transition by transition', () => {
  it('searching: added, then refreshed by the same ticket, replaced by a newer one, superseded by an older one', () => {
    const s = setup();
    expect(s.submit(facts('alice'))).toMatchObject({ status: 'searching', outcome: 'added' });
    s.advance(1_000);
    expect(s.submit(facts('alice'))).toMatchObject({ status: 'searching', outcome: 'refreshed' });
    expect(s.queue.get('alice')?.lastSeen).toBe(T0 + 1_000);
    const newer = facts('alice', { issuedAt: T0 + 1_000, ticketId: 't-alice-2' });
    expect(s.submit(newer)).toMatchObject({ status: 'searching', outcome: 'replaced' });
    expect(s.submit(facts('alice', { ticketId: 't-alice-0' }))).toMatchObject({ status: 'searching', outcome: 'superseded' });
    expect(s.queue.get('alice')?.ticketId).toBe('t-alice-2');
  });

  it('ready: a search the match answers gets it, and its player counts as delivered; a later search does not', () => {
    const s = setup();
    const result = matchOf(['alice', 'bob'], T0 + 5_000);
    s.results.set('alice', result);
    s.deliveries.expect('m1', ['alice', 'bob'], T0 + 30_000);
    expect(s.submit(facts('alice'))).toEqual({ status: 'matched', result, view: { status: 'ready', match: result.match, allocating: false } });
    expect(s.deliveries.isComplete('m1')).toBe(false);
    s.results.set('bob', result);
    expect(s.submit(facts('bob')).status).toBe('matched');
    expect(s.deliveries.isComplete('m1')).toBe(true);
    expect(s.submit(facts('alice', { queuedAt: T0 + 6_000, ticketId: 't-alice-new' }))).toMatchObject({ status: 'searching', outcome: 'added' });
  });

  it('timed_out: from the signed queuedAt, ending the entry; a mode without a limit never times out', () => {
    const s = setup();
    const squad = facts('carol', { pool: 'squad/eu' });
    expect(s.submit(squad).status).toBe('searching');
    s.advance(MAX_WAIT);
    expect(s.submit(squad)).toEqual({ status: 'timed_out', pool: 'squad/eu', queuedForMs: MAX_WAIT });
    expect(s.queue.get('carol')).toBeUndefined();
    // A ticket of the same search that was never queued here (a restart) ends the same way.
    expect(s.submit(facts('dave', { pool: 'squad/eu', ticketId: 't-dave' })).status).toBe('timed_out');
    expect(s.submit(facts('erin')).status).toBe('searching');
  });

  it('revoked and left come first, even for a queued ticket, and change nothing', () => {
    const s = setup();
    s.submit(facts('alice'));
    s.revoked.add('alice');
    expect(s.submit(facts('alice'))).toEqual({ status: 'revoked' });
    s.left.add('bob');
    expect(s.submit(facts('bob'))).toEqual({ status: 'left' });
    expect(s.queue.get('bob')).toBeUndefined();
  });

  it('pool_not_served and at_capacity refuse newcomers only: a queued player is always served', () => {
    const s = setup({ maxPlayers: 2 });
    expect(s.submit(facts('x', { pool: 'duel/us' }))).toEqual({ status: 'pool_not_served', pool: 'duel/us' });
    s.submit(facts('alice'));
    s.submit(facts('bob'));
    expect(s.submit(facts('carol'))).toEqual({ status: 'at_capacity' });
    expect(s.submit(facts('alice', { issuedAt: T0 + 1, ticketId: 't-alice-2' })).status).toBe('searching');
    expect(s.queue.players()).toBe(2);
  });
});

describe('a party ticket against its members’ own tickets', () => {
  const party = (leader: string, members: string[], over: Partial<TicketFacts> = {}) =>
    facts(leader, { pool: 'squad/eu', party: members.map((sub) => ({ sub, rating: 1500 })), ticketId: `t-${leader}+${members.join('+')}`, ...over });

  it("a member's newer solo ticket takes them out: the party ticket is refused as party_changed, nothing else moves", () => {
    const s = setup();
    const p = party('a', ['b', 'c']);
    expect(s.submit(p)).toMatchObject({ status: 'searching', outcome: 'added' });
    expect(s.submit(facts('c', { pool: 'squad/eu', issuedAt: T0 + 1 }))).toMatchObject({ status: 'searching', outcome: 'replaced' });
    expect(s.submit(p)).toEqual({ status: 'party_changed' });
    expect([s.queue.get('a'), s.queue.get('b'), s.queue.get('c')?.sub]).toEqual([undefined, undefined, 'c']);
  });

  it('a member matched on their own during the party’s search: the party ticket is refused, never queued beside that match', () => {
    const s = setup();
    const p = party('a', ['b'], { queuedAt: T0 });
    s.results.set('b', matchOf(['b', 'x'], T0 + 10));
    expect(s.submit(p)).toEqual({ status: 'party_changed' });
    expect(s.queue.get('a')).toBeUndefined();
  });

  it('the party matched: any member presenting the party ticket is answered with the match', () => {
    const s = setup();
    const p = party('a', ['b']);
    const result = matchOf(['a', 'b'], T0);
    s.results.set('a', result);
    s.results.set('b', result);
    expect(s.submit(p)).toMatchObject({ status: 'matched', result });
  });
});
