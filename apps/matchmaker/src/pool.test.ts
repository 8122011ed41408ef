import { describe, expect, it } from 'vitest';
import { Queue, QueueEntry, type TicketFacts } from './pool.ts';
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

describe('QueueEntry times', () => {
  const NOW = Date.now();
  const times = (e: QueueEntry) => [e.queuedAt, e.issuedAt, e.expiresAt, e.giveUpAt, e.lastSeen];
  const expectSame = (got: number[], given: number[]) =>
    got.forEach((time, i) => expect(Object.is(time, given[i]), `time ${i}: ${time} for ${given[i]}`).toBe(true));

  // Kept as small offsets where they fit, as they are where not: each must read back as the very number given.
  it.each<[string, number, number, number, number, number]>([
    ['near now', NOW - 59_999, NOW - 1_000, NOW + 299_000, Infinity, NOW],
    ['near now, with a limit', NOW - 5_000, NOW - 1_000, NOW + 299_000, NOW + 115_000, NOW + 3],
    ['a clock at 0', 0, 0, 300_000, Infinity, 0],
    ['a clock at 0, with a limit', 0, 1, 300_000, 120_000, 5_000],
    ['in 2030', T0, T0, T0 + 300_000, T0 + 120_000, T0 + 1_000],
    ['in 2030, no limit', T0, T0 + 60_000, T0 + 360_000, Infinity, T0 + 60_000],
    ['at the edges of an int32 offset', T0, T0 + 2 ** 31 - 1, T0 - 2 ** 31, T0 - 2 ** 31 - 1, T0 + 2 ** 31],
    ['24 days and more from now', NOW - 2 ** 31 - 1, NOW + 2 ** 31, NOW - 2 ** 31, NOW + 2 ** 32, NOW - 2 ** 31],
    ['odd numbers', -0, 0.5, -1.25, -Infinity, NaN],
    ['past 2^53', 2 ** 53 + 2, 2 ** 53, 2 ** 60, 2 ** 53 + 4, Number.MAX_VALUE],
    ['fractions near now', NOW + 0.25, NOW - 0.5, NOW + 1e-9, NOW + 7.75, NOW + 1 / 3],
  ])('reads back every time exactly: %s', (_, queuedAt, issuedAt, expiresAt, giveUpAt, lastSeen) => {
    const entry = new QueueEntry(facts('a', { queuedAt, issuedAt, expiresAt }), lastSeen, giveUpAt);
    expectSame(times(entry), [queuedAt, issuedAt, expiresAt, giveUpAt, lastSeen]);
    for (const seen of [NOW, 0, -0, T0 + 0.5, 2 ** 31, -(2 ** 31), queuedAt + 2 ** 31 - 1, Infinity]) {
      entry.lastSeen = seen;
      expectSame(times(entry), [queuedAt, issuedAt, expiresAt, giveUpAt, seen]);
    }
  });

  it('defaults giveUpAt to Infinity, as does a queue without a limit', () => {
    expect(new QueueEntry(facts('a'), T0).giveUpAt).toBe(Infinity);
    expect(new Queue({ staleAfterMs: STALE }).upsert(facts('a'), T0).entry!.giveUpAt).toBe(Infinity);
  });

  it.each([
    ['a clock at 0', 0],
    ['2030', T0],
    ['now', NOW],
  ])('drops stale, expired and timed-out entries at the same moments with %s', (_, t) => {
    const queue = new Queue({ staleAfterMs: STALE, maxWaitMs: (pool) => (pool === 'duel/na' ? 40_000 : undefined) });
    const at = (sub: string, overrides: Partial<TicketFacts> = {}) => facts(sub, { queuedAt: t, issuedAt: t, expiresAt: t + 300_000, ticketId: sub, ...overrides });
    for (const ticket of [at('quiet'), at('active'), at('waiting', { pool: 'duel/na' }), at('short', { expiresAt: t + 20_000 })]) queue.upsert(ticket, t);
    expect([queue.get('waiting')!.giveUpAt, queue.get('quiet')!.giveUpAt]).toEqual([t + 40_000, Infinity]);
    const drops: [string, string, number][] = [];
    for (let s = 0; s <= 70_000; s += 5_000) {
      for (const sub of ['active', 'waiting', 'short']) {
        const held = queue.get(sub);
        // An entry is facts too: its own ticket again only refreshes it.
        if (held !== undefined && s <= 50_000) expect(queue.upsert(held, t + s).outcome).toBe('refreshed');
      }
      for (const { entry, reason } of queue.expire(t + s)) drops.push([entry.sub, reason, s]);
    }
    expect(drops).toEqual([
      ['quiet', 'stale', 15_000],
      ['short', 'expired', 20_000],
      ['waiting', 'timed_out', 40_000],
      ['active', 'stale', 65_000],
    ]);
    expect(queue.players()).toBe(0);
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
