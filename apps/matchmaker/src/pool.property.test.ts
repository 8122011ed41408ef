// Solo and party tickets of overlapping players, issued at any time and arriving in any order:
// the queue never holds a player twice, never splits a group, and ends holding for each player
// what the newest ticket containing them says, whatever the order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Queue, type TicketFacts } from './pool.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const PLAYERS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];

const ticket: fc.Arbitrary<TicketFacts> = fc
  .record({
    players: fc.uniqueArray(fc.constantFrom(...PLAYERS), { minLength: 1, maxLength: 4 }),
    issuedAt: fc.integer({ min: 0, max: 20 }),
  })
  .map(({ players, issuedAt }) => {
    const [sub, ...party] = players as [string, ...string[]];
    return {
      sub,
      pool: 'squad/eu',
      rating: 1500,
      queuedAt: T0,
      party: party.length === 0 ? undefined : party.map((m) => ({ sub: m, rating: 1500 })),
      issuedAt: T0 + issuedAt * 1_000,
      expiresAt: T0 + 600_000,
      ticketId: `${players.join('+')}@${issuedAt}`,
      kid: 'k',
    };
  });

const playersOf = (t: { sub: string; party: TicketFacts['party'] }) => [t.sub, ...(t.party ?? []).map((m) => m.sub)];

/** A ticket is live when it is the newest (ties by id) of every ticket that contains one of its players. */
function isLive(tickets: readonly TicketFacts[], t: TicketFacts): boolean {
  return playersOf(t).every((p) =>
    tickets.every((o) => o === t || !playersOf(o).includes(p) || o.issuedAt < t.issuedAt || (o.issuedAt === t.issuedAt && o.ticketId <= t.ticketId)),
  );
}

describe('Queue with parties (property)', () => {
  it("holds each player at most once and every group whole, and, once all were resubmitted, exactly the tickets that are their players' newest", () => {
    fc.assert(
      fc.property(fc.array(ticket, { minLength: 1, maxLength: 12 }), (tickets) => {
        const queue = new Queue({ staleAfterMs: 60_000 });
        for (const t of tickets) queue.upsert(t, T0);
        const entries = new Set(PLAYERS.map((p) => queue.get(p)).filter((e) => e !== undefined));
        const seen = new Map<string, number>();
        for (const e of entries) for (const p of playersOf(e)) seen.set(p, (seen.get(p) ?? 0) + 1);
        // Nobody twice, and each entry's every player points back at it (a group is never split).
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
        for (const e of entries) for (const p of playersOf(e)) expect(queue.get(p)).toBe(e);
        expect(queue.size).toBe(entries.size);
        expect(queue.players()).toBe(seen.size);
        // Once every ticket was resubmitted, the queue holds exactly the live ones: a player's newest ticket wins.
        for (const t of tickets) queue.upsert(t, T0);
        const live = new Set(tickets.filter((t) => isLive(tickets, t)).map((t) => t.ticketId));
        expect(new Set(PLAYERS.map((p) => queue.get(p)?.ticketId).filter((id) => id !== undefined))).toEqual(live);
      }),
      { numRuns: 500 },
    );
  });

  it('ends in the same state whatever order the tickets arrive in, once each is submitted again', () => {
    fc.assert(
      fc.property(fc.array(ticket, { minLength: 1, maxLength: 10 }).chain((ts) => fc.tuple(fc.constant(ts), fc.shuffledSubarray(ts, { minLength: ts.length }))), ([inOrder, shuffled]) => {
        const state = (sequence: readonly TicketFacts[]) => {
          const queue = new Queue({ staleAfterMs: 60_000 });
          // Clients keep resubmitting: two rounds settle any order.
          for (const t of [...sequence, ...sequence]) queue.upsert(t, T0);
          return PLAYERS.map((p) => queue.get(p)?.ticketId ?? '-').join(',');
        };
        expect(state(shuffled)).toBe(state(inOrder));
      }),
      { numRuns: 300 },
    );
  });
});
