import type { Member } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { formMatches, type MatchRules, type Waiting } from './form-matches.ts';
import { totalRating } from './teams.ts';
import { ratingWindow } from './widening.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const duel: MatchRules = { teams: 2, teamSize: 1, ratingWindow: { initial: 50, widenPerSecond: 10, max: 600 } };
const squad: MatchRules = { teams: 2, teamSize: 4, ratingWindow: { initial: 50, widenPerSecond: 10, max: 600 } };

const waiting = (sub: string, rating: number, queuedAt = T0, party?: Member[]): Waiting =>
  party ? { sub, rating, queuedAt, party } : { sub, rating, queuedAt };

function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomPool(count: number, seed: number): Waiting[] {
  const random = lcg(seed);
  return Array.from({ length: count }, (_, i) =>
    waiting(`p${i}`, Math.round(800 + random() * 1400), T0 - Math.floor(random() * 90_000)),
  );
}

const subsOf = (matches: ReturnType<typeof formMatches>) => matches.map((m) => m.teams.map((t) => t.map((p) => p.sub)));

describe('formMatches', () => {
  it('forms nothing from a pool with too few players', () => {
    expect(formMatches([], duel, T0)).toEqual([]);
    expect(formMatches([waiting('a', 1500)], duel, T0)).toEqual([]);
    expect(formMatches(randomPool(7, 1), squad, T0 + 600_000)).toEqual([]);
  });

  it('matches two players once their windows have widened enough', () => {
    const pool = [waiting('a', 1500), waiting('b', 1590)];
    expect(formMatches(pool, duel, T0)).toEqual([]);
    expect(formMatches(pool, duel, T0 + 3_000)).toEqual([]); // windows of 80
    const [match, ...rest] = formMatches(pool, duel, T0 + 4_000); // windows of 90
    expect(rest).toEqual([]);
    expect(match!.teams).toEqual([[{ sub: 'b', rating: 1590 }], [{ sub: 'a', rating: 1500 }]]);
    expect(match!.ratingSpread).toBe(90);
    expect(match!.imbalance).toBe(90);
  });

  it('needs each player inside the other one window, not just the longer waiter', () => {
    const veteran = waiting('veteran', 1500, T0 - 60_000); // window 600
    const newcomer = waiting('newcomer', 1700, T0); // window 50
    expect(formMatches([veteran, newcomer], duel, T0)).toEqual([]);
    expect(formMatches([veteran, newcomer], duel, T0 + 15_000)).toHaveLength(1); // newcomer's window 200
  });

  it('lets the longest waiter pick first, taking the nearest rating', () => {
    const pool = [waiting('old', 1500, T0 - 30_000), waiting('near', 1510), waiting('nearer', 1505), waiting('far', 1540)];
    const matches = formMatches(pool, duel, T0);
    expect(subsOf(matches)[0]!.flat().sort()).toEqual(['nearer', 'old']);
  });

  it('puts no player in two matches and every player inside every match-mate window', () => {
    const pool = randomPool(3_000, 42);
    const now = T0;
    const matches = formMatches(pool, squad, now);
    expect(matches.length).toBeGreaterThan(100);
    const seen = new Set<string>();
    const bySub = new Map(pool.map((w) => [w.sub, w]));
    for (const match of matches) {
      const players = match.teams.flat();
      expect(players).toHaveLength(8);
      expect(match.teams.map((t) => t.length)).toEqual([4, 4]);
      for (const p of players) {
        expect(seen.has(p.sub)).toBe(false);
        seen.add(p.sub);
      }
      for (const a of players) {
        for (const b of players) {
          const wa = ratingWindow(squad.ratingWindow, now - bySub.get(a.sub)!.queuedAt);
          expect(Math.abs(a.rating - b.rating)).toBeLessThanOrEqual(wa);
        }
      }
    }
  });

  it('keeps the team total gap within the rating spread of each match', () => {
    const matches = formMatches(randomPool(3_000, 9), { ...squad, teams: 3 }, T0);
    expect(matches.length).toBeGreaterThan(50);
    for (const match of matches) {
      const sums = match.teams.map(totalRating);
      expect(Math.max(...sums) - Math.min(...sums)).toBeLessThanOrEqual(match.ratingSpread + 1e-9);
      expect(match.imbalance).toBeLessThanOrEqual(match.ratingSpread / squad.teamSize + 1e-9);
    }
  });

  it('is deterministic for a snapshot and clock, whatever the snapshot order', () => {
    const pool = randomPool(2_000, 5);
    const shuffled = [...pool].reverse();
    const first = formMatches(pool, squad, T0);
    expect(subsOf(formMatches(pool, squad, T0))).toEqual(subsOf(first));
    expect(subsOf(formMatches(shuffled, squad, T0))).toEqual(subsOf(first));
  });

  it('orders ties (same wait, same rating) by sub, whatever the snapshot order', () => {
    // Few distinct waits and ratings, so nearly every entry shares its sort key with others.
    const pool = randomPool(2_000, 7).map((w, i) => ({ ...w, queuedAt: T0 - (i % 7) * 1_000, rating: 1500 + (i % 13) * 10 }));
    const shuffled = [...pool].sort((a, b) => (a.sub < b.sub ? 1 : -1));
    expect(subsOf(formMatches(shuffled, squad, T0))).toEqual(subsOf(formMatches(pool, squad, T0)));
    // The longest waiters are i % 7 === 6; 'p1000' sorts first of them by sub. Its nearest
    // rating is its own (i % 13 === 12), and of those the longest waiter, first by sub: 'p1091'.
    expect(formMatches(pool, duel, T0)[0]!.entries.map((e) => e.sub)).toEqual(['p1000', 'p1091']);
  });

  it('orders a long run of equal waits by sub (many players claiming the same millisecond)', () => {
    // 5,000 players, one queuedAt, subs arriving in reverse order; ratings spread so each
    // anchor's nearest partner is unique.
    const pool = Array.from({ length: 5_000 }, (_, i) => waiting(`s${String(4_999 - i).padStart(4, '0')}`, 1_000 + (4_999 - i) * 2, T0));
    const matches = formMatches(pool, duel, T0 + 60_000);
    expect(matches).toHaveLength(2_500);
    // Longest waiters all tie: the first anchor is the lowest sub, which takes its nearest rating.
    expect(matches[0]!.entries.map((e) => e.sub)).toEqual(['s0000', 's0001']);
    expect(matches[1]!.entries.map((e) => e.sub)).toEqual(['s0002', 's0003']);
    expect(subsOf(formMatches([...pool].reverse(), duel, T0 + 60_000))).toEqual(subsOf(matches));
  });

  it('sorts waits and ratings too far apart for its packed keys by comparison, with the same rules', () => {
    // A day between waits and ratings a billion apart: outside the radix keys' range.
    const pool = [waiting('a', 0, T0 - 86_400_000), waiting('b', 1e9, T0), waiting('c', 30, T0), waiting('d', 1e9 + 20, T0 - 1)];
    const matches = formMatches(pool, duel, T0);
    expect(matches.map((m) => m.entries.map((e) => e.sub).sort())).toEqual([['a', 'c'], ['b', 'd']]);
  });

  it('widens over time: an older clock matches fewer players than a later one', () => {
    const pool = randomPool(400, 11).map((w) => ({ ...w, queuedAt: T0 }));
    const early = formMatches(pool, squad, T0).length;
    const late = formMatches(pool, squad, T0 + 60_000).length;
    expect(late).toBeGreaterThan(early);
    expect(late).toBe(50); // at the 600 cap every one of the 400 players finds seven within reach
  });

  it('keeps parties together and counts their members', () => {
    const party = [
      { sub: 'b', rating: 1500 },
      { sub: 'c', rating: 1500 },
    ];
    const pool = [
      waiting('a', 1500, T0, party),
      waiting('d', 1500),
      waiting('e', 1500),
      waiting('f', 1500),
      waiting('g', 1500, T0, [{ sub: 'h', rating: 1500 }]),
    ];
    const [match, ...rest] = formMatches(pool, squad, T0);
    expect(rest).toEqual([]);
    const teamOf = (sub: string) => match!.teams.findIndex((t) => t.some((m) => m.sub === sub));
    expect(teamOf('b')).toBe(teamOf('a'));
    expect(teamOf('c')).toBe(teamOf('a'));
    expect(teamOf('h')).toBe(teamOf('g'));
    expect(match!.entries.map((e) => e.sub).sort()).toEqual(['a', 'd', 'e', 'f', 'g']);
  });

  it('never matches a party larger than a team', () => {
    const big = waiting('a', 1500, T0, [{ sub: 'b', rating: 1500 }]);
    expect(formMatches([big, waiting('c', 1500)], duel, T0)).toEqual([]);
    const matches = formMatches([big, waiting('c', 1500), waiting('d', 1500)], duel, T0);
    expect(subsOf(matches)).toEqual([[['c'], ['d']]]);
  });
});
