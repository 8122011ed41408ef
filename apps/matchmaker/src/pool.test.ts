import { describe, expect, it } from 'vitest';
import { Queue, type TicketFacts } from './pool.ts';
import { ExpiryHeap } from './expiry-heap.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const STALE = 15_000;

function facts(sub: string, overrides: Partial<TicketFacts> = {}): TicketFacts {
  return {
    sub,
    pool: 'duel/eu',
    rating: 1500,
    queuedAt: T0,
    party: undefined,
    issuedAt: T0,
    expiresAt: T0 + 300_000,
    ticketId: `${sub}@${overrides.issuedAt ?? T0}`,
    kid: 'k4.pid.test',
    ...overrides,
  };
}

describe('Queue.upsert', () => {
  it('is idempotent for the same ticket and only moves lastSeen', () => {
    const queue = new Queue({ staleAfterMs: STALE });
    expect(queue.upsert(facts('a'), T0).outcome).toBe('added');
    const again = queue.upsert(facts('a'), T0 + 5_000);
    expect(again.outcome).toBe('refreshed');
    expect(again.entry!.lastSeen).toBe(T0 + 5_000);
    expect(queue.size).toBe(1);
    expect(queue.players('duel/eu')).toBe(1);
    expect(queue.findByTicket('a@' + T0)).toBe(again.entry);
  });

  it('lets a newer ticket of the same player replace the entry, also across pools', () => {
    const queue = new Queue({ staleAfterMs: STALE });
    queue.upsert(facts('a'), T0);
    const newer = facts('a', { issuedAt: T0 + 60_000, pool: 'duel/na', rating: 1600 });
    const { outcome, entry } = queue.upsert(newer, T0 + 60_000);
    expect(outcome).toBe('replaced');
    expect(entry).toMatchObject({ pool: 'duel/na', rating: 1600 });
    expect(queue.snapshot('duel/eu')).toEqual([]);
    expect(queue.snapshot('duel/na')).toEqual([entry]);
    expect(queue.players('duel/eu')).toBe(0);
    expect(queue.findByTicket('a@' + T0)).toBeUndefined();
  });

  it('never lets an older ticket override a newer one', () => {
    const queue = new Queue({ staleAfterMs: STALE });
    const newer = queue.upsert(facts('a', { issuedAt: T0 + 60_000, rating: 1600 }), T0 + 60_000).entry;
    const { outcome, entry } = queue.upsert(facts('a', { rating: 1400 }), T0 + 61_000);
    expect(outcome).toBe('superseded');
    expect(entry).toBe(newer);
    expect(entry!.rating).toBe(1600);
    expect(entry!.lastSeen).toBe(T0 + 60_000);
  });

  it('breaks a tie of equal issue times the same way whatever the arrival order', () => {
    const x = facts('a', { ticketId: 'x' });
    const y = facts('a', { ticketId: 'y' });
    const first = new Queue({ staleAfterMs: STALE });
    first.upsert(x, T0);
    first.upsert(y, T0);
    const second = new Queue({ staleAfterMs: STALE });
    second.upsert(y, T0);
    second.upsert(x, T0);
    expect(first.get('a')!.ticketId).toBe('y');
    expect(second.get('a')!.ticketId).toBe('y');
  });

  it('counts party members as players', () => {
    const queue = new Queue({ staleAfterMs: STALE });
    queue.upsert(facts('a', { party: [{ sub: 'b', rating: 1500 }] }), T0);
    expect(queue.players()).toBe(2);
    expect(queue.size).toBe(1);
    queue.remove('a');
    expect(queue.players()).toBe(0);
  });
});

describe('Queue.expire', () => {
  it('drops entries not seen for staleAfter, and keeps those resubmitted', () => {
    const queue = new Queue({ staleAfterMs: STALE });
    queue.upsert(facts('quiet'), T0);
    queue.upsert(facts('active'), T0);
    queue.upsert(facts('active'), T0 + 10_000);
    expect(queue.expire(T0 + STALE - 1)).toEqual([]);
    const dropped = queue.expire(T0 + STALE);
    expect(dropped.map((d) => [d.entry.sub, d.reason])).toEqual([['quiet', 'stale']]);
    expect(queue.get('quiet')).toBeUndefined();
    expect(queue.get('active')).toBeDefined();
    expect(queue.expire(T0 + 10_000 + STALE).map((d) => d.entry.sub)).toEqual(['active']);
    expect(queue.size).toBe(0);
  });

  it('drops an entry when its ticket expires even if it keeps resubmitting', () => {
    const queue = new Queue({ staleAfterMs: STALE });
    queue.upsert(facts('a', { expiresAt: T0 + 20_000 }), T0);
    queue.upsert(facts('a', { expiresAt: T0 + 20_000 }), T0 + 12_000);
    expect(queue.expire(T0 + 19_999)).toEqual([]);
    expect(queue.expire(T0 + 20_000).map((d) => [d.entry.sub, d.reason])).toEqual([['a', 'expired']]);
  });

  it('skips entries removed or replaced before they came due', () => {
    const queue = new Queue({ staleAfterMs: STALE });
    queue.upsert(facts('gone'), T0);
    queue.remove('gone');
    queue.upsert(facts('moved'), T0);
    const replacement = queue.upsert(facts('moved', { issuedAt: T0 + 10_000 }), T0 + 10_000).entry;
    expect(queue.expire(T0 + STALE)).toEqual([]);
    expect(queue.get('moved')).toBe(replacement);
  });

  it('does work proportional to what comes due, not to the pool size', () => {
    const queue = new Queue({ staleAfterMs: 3_600_000 });
    for (let i = 0; i < 10_000; i++) queue.upsert(facts(`p${i}`, { expiresAt: T0 + 60_000 + i }), T0);
    expect(queue.expire(T0 + 59_999)).toEqual([]);
    expect(queue.pendingExpiries).toBe(10_000);
    expect(queue.expire(T0 + 60_004).map((d) => d.entry.sub)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    // Only the five due entries left the heap: nothing else was looked at.
    expect(queue.pendingExpiries).toBe(9_995);
  });

  it('revalidates a resubmitted entry once when its old deadline passes', () => {
    const queue = new Queue({ staleAfterMs: STALE });
    for (let i = 0; i < 100; i++) queue.upsert(facts(`p${i}`), T0);
    for (let i = 0; i < 100; i++) queue.upsert(facts(`p${i}`), T0 + 10_000);
    expect(queue.expire(T0 + STALE)).toEqual([]);
    expect(queue.pendingExpiries).toBe(100);
    expect(queue.expire(T0 + 10_000 + STALE)).toHaveLength(100);
    expect(queue.pendingExpiries).toBe(0);
  });
});

describe('ExpiryHeap', () => {
  it('pops in due order and only what is due', () => {
    const heap = new ExpiryHeap<string>();
    const dues = [50, 10, 40, 20, 30, 10, 60];
    dues.forEach((due, i) => heap.push(`${due}:${i}`, due));
    const popped: string[] = [];
    for (let item = heap.popDue(45); item !== undefined; item = heap.popDue(45)) popped.push(item);
    expect(popped.map((p) => Number(p.split(':')[0]))).toEqual([10, 10, 20, 30, 40]);
    expect(heap.size).toBe(2);
  });
});

describe('Queue: parties, one entry per player', () => {
  const party = (leader: string, members: string[], overrides: Partial<TicketFacts> = {}) =>
    facts(leader, { party: members.map((sub) => ({ sub, rating: 1500 })), ticketId: `${leader}+${members.join('+')}@${overrides.issuedAt ?? T0}`, ...overrides });

  it('indexes every member of a party ticket', () => {
    const queue = new Queue({ staleAfterMs: STALE });
    const { entry } = queue.upsert(party('a', ['b', 'c']), T0);
    expect([queue.get('a'), queue.get('b'), queue.get('c')]).toEqual([entry, entry, entry]);
    expect([queue.size, queue.players('duel/eu')]).toEqual([1, 3]);
    expect(queue.remove('c')).toBe(entry);
    expect([queue.get('a'), queue.get('b'), queue.size, queue.players()]).toEqual([undefined, undefined, 0, 0]);
  });

  it("a member's newer solo ticket takes them out of the party: the party ticket is then refused as regrouped", () => {
    const queue = new Queue({ staleAfterMs: STALE });
    const partyTicket = party('a', ['b', 'c']);
    queue.upsert(partyTicket, T0);
    const solo = queue.upsert(facts('c', { issuedAt: T0 + 1_000 }), T0 + 1_000);
    expect(solo.outcome).toBe('replaced');
    expect([queue.get('a'), queue.get('b'), queue.get('c')]).toEqual([undefined, undefined, solo.entry]);
    expect(queue.upsert(partyTicket, T0 + 2_000)).toEqual({ outcome: 'regrouped' });
    expect(queue.get('c')).toBe(solo.entry);
    expect([queue.size, queue.players()]).toEqual([1, 1]);
  });

  it("a newer party ticket takes its members out of their solo entries; their older solo tickets are refused", () => {
    const queue = new Queue({ staleAfterMs: STALE });
    const soloB = facts('b');
    queue.upsert(soloB, T0);
    queue.upsert(facts('c'), T0);
    queue.upsert(facts('d'), T0);
    const p = queue.upsert(party('a', ['b', 'c'], { issuedAt: T0 + 1_000 }), T0 + 1_000);
    expect(p.outcome).toBe('replaced');
    expect([queue.get('b'), queue.get('c'), queue.get('d')?.sub]).toEqual([p.entry, p.entry, 'd']);
    expect(queue.upsert(soloB, T0 + 2_000).outcome).toBe('regrouped');
    expect([queue.size, queue.players()]).toEqual([2, 4]);
  });

  it("an older ticket of the same party is superseded, not refused", () => {
    const queue = new Queue({ staleAfterMs: STALE });
    queue.upsert(party('a', ['b'], { issuedAt: T0 + 1_000 }), T0);
    expect(queue.upsert(party('a', ['b']), T0).outcome).toBe('superseded');
  });

  it('drops a stale party entry with all its members', () => {
    const queue = new Queue({ staleAfterMs: STALE });
    queue.upsert(party('a', ['b']), T0);
    expect(queue.expire(T0 + STALE).map((d) => d.reason)).toEqual(['stale']);
    expect([queue.get('a'), queue.get('b'), queue.size, queue.players()]).toEqual([undefined, undefined, 0, 0]);
  });
});
