import type { Member } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { formMatches, type MatchRules, type Waiting } from './form-matches.ts';
import { totalRating } from './teams.ts';
import { ratingWindow } from './widening.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const duel: MatchRules = { teams: 2, teamSize: 1, ratingWindow: { initial: 50, widenPerSecond: 10, max: 600 } };
const squad = { teams: 2, teamSize: 4, ratingWindow: { initial: 50, widenPerSecond: 10, max: 600 } } satisfies MatchRules;

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
/** Each match's players, sorted: for equal ratings, which team is first is the anchor's (a hash of its sub). */
const playersOf = (matches: ReturnType<typeof formMatches>) => matches.map((m) => m.teams.flat().map((p) => p.sub).sort());

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

  it('a player whose rating is unsure (a new one) starts with a wider window, on both sides of the check', () => {
    const placing: MatchRules = { ...duel, ratingWindow: { ...duel.ratingWindow, perUncertainty: 0.5 } };
    const sure = waiting('sure', 1500);
    const unsure = { ...waiting('unsure', 1700), uncertainty: 500 }; // window 300
    const alsoUnsure = { ...waiting('also', 1700), uncertainty: 500 };
    // The sure player's window (50) still has to hold the other: no match yet.
    expect(formMatches([sure, unsure], placing, T0)).toEqual([]);
    expect(formMatches([{ ...sure, uncertainty: 400 }, unsure], placing, T0)).toHaveLength(1); // windows 250 and 300
    expect(formMatches([{ ...alsoUnsure, rating: 1450 }, unsure], placing, T0)).toHaveLength(1);
    // A mode without perUncertainty gives no head start.
    expect(formMatches([{ ...sure, uncertainty: 400 }, unsure], duel, T0)).toEqual([]);
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

  it('orders ties (same wait, same rating) the same way whatever the snapshot order', () => {
    // Few distinct waits and ratings, so nearly every entry shares its sort key with others.
    const pool = randomPool(2_000, 7).map((w, i) => ({ ...w, queuedAt: T0 - (i % 7) * 1_000, rating: 1500 + (i % 13) * 10 }));
    const shuffled = [...pool].sort((a, b) => (a.sub < b.sub ? 1 : -1));
    expect(subsOf(formMatches(shuffled, squad, T0))).toEqual(subsOf(formMatches(pool, squad, T0)));
    // The first anchor is one of the longest waiters (i % 7 === 6), and takes its own rating,
    // of those the longest waiter again.
    const [first] = formMatches(pool, duel, T0)[0]!.entries;
    const partner = formMatches(pool, duel, T0)[0]!.entries[1]!;
    expect([first!.queuedAt, partner.queuedAt, partner.rating]).toEqual([T0 - 6_000, T0 - 6_000, first!.rating]);
  });

  it('orders a long run of equal waits without a quadratic sort (many players claiming the same millisecond)', () => {
    // 5,000 players, one queuedAt, subs arriving in reverse order; ratings spread so each
    // anchor's nearest partner is unique.
    const pool = Array.from({ length: 5_000 }, (_, i) => waiting(`s${String(4_999 - i).padStart(4, '0')}`, 1_000 + (4_999 - i) * 2, T0));
    const matches = formMatches(pool, duel, T0 + 60_000);
    // Anchors in the order of their subs' hash, each taking its nearest rating: a greedy walk
    // may strand a pair or two farther apart than the 600 window.
    expect(matches.length).toBeGreaterThanOrEqual(2_495);
    for (const match of matches) expect(Math.abs(match.entries[0]!.rating - match.entries[1]!.rating)).toBeLessThanOrEqual(600);
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
    expect(late).toBeGreaterThanOrEqual(48); // at the 600 cap nearly every one of the 400 players finds seven within reach
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
    expect(playersOf(matches)).toEqual([['c', 'd']]);
  });
});

describe('formMatches under the latency rule', () => {
  const near: MatchRules = { ...duel, latency: { maxMs: 60, widenToMs: 160, widenAfterMs: 20_000 } };
  const at = (sub: string, latencies: Record<string, number>, waitedMs = 0): Waiting => ({ sub, rating: 1500, queuedAt: T0 - waitedMs, latencies });

  it('places the match in the region with the lowest worst-member latency', () => {
    const [match] = formMatches([at('a', { eu: 20, na: 50 }), at('b', { eu: 55, na: 30 })], near, T0);
    // eu: worst 55; na: worst 50.
    expect(match).toMatchObject({ region: 'na', worstLatencyMs: 50 });
  });

  it('keeps players apart until the bound, widening with the signed wait, reaches a shared region', () => {
    const players = (waitedMs: number) => [at('a', { eu: 30, na: 140 }, waitedMs), at('b', { eu: 110, na: 30 }, waitedMs)];
    expect(formMatches(players(0), near, T0)).toEqual([]);
    // Bound after 10 s: 60 + 100 x 10/20 = 110: b may play in eu.
    expect(formMatches(players(10_000), near, T0)).toMatchObject([{ region: 'eu', worstLatencyMs: 110 }]);
  });

  it('never matches a ticket without latencies, and ignores regions it has no figure for', () => {
    expect(formMatches([{ sub: 'a', rating: 1500, queuedAt: T0 }, at('b', { eu: 10 })], near, T0)).toEqual([]);
    expect(formMatches([at('a', { eu: 10 }), at('b', { na: 10 })], near, T0 - 60_000)).toEqual([]);
  });
});

describe('formMatches with a team size range', () => {
  const flexible: MatchRules = { ...squad, teamSize: { min: 2, max: 4, shrinkAfterMs: 30_000 } };
  const seven = (waitedMs: number) => Array.from({ length: 7 }, (_, i) => waiting(`p${i}`, 1500 + i, T0 - waitedMs - i));

  it('waits for full teams until the longest wait reaches shrinkAfterMs, then forms equal smaller teams', () => {
    expect(formMatches(seven(29_000), flexible, T0)).toEqual([]);
    const [match, ...rest] = formMatches(seven(30_000), flexible, T0);
    expect(rest).toEqual([]);
    // 7 players: 3v3 (equal teams), the longest-waiting first.
    expect(match!.teams.map((t) => t.length)).toEqual([3, 3]);
    expect(match!.entries.map((e) => e.sub)).toContain('p6');
  });

  it('still prefers a full match when the pool has one', () => {
    const nine = Array.from({ length: 9 }, (_, i) => waiting(`p${i}`, 1500 + i, T0 - 60_000));
    expect(formMatches(nine, flexible, T0).map((m) => m.teams.map((t) => t.length))).toEqual([[4, 4]]);
  });

  it('keeps a party whole in a smaller match, and never below min', () => {
    const party = waiting('lead', 1500, T0 - 40_000, [{ sub: 'friend', rating: 1500 }, { sub: 'third', rating: 1500 }]);
    const [match] = formMatches([party, waiting('a', 1500, T0), waiting('b', 1500, T0), waiting('c', 1500, T0)], flexible, T0);
    expect(match!.teams.map((t) => t.length)).toEqual([3, 3]);
    expect(match!.teams.find((t) => t.some((p) => p.sub === 'lead'))!.map((p) => p.sub).sort()).toEqual(['friend', 'lead', 'third']);
    expect(formMatches([waiting('x', 1500, T0 - 60_000), waiting('y', 1500, T0 - 60_000), waiting('z', 1500, T0 - 60_000)], flexible, T0)).toEqual([]);
  });
});

describe('formMatches with attribute rules', () => {
  const rules: MatchRules = { ...duel, attributes: { equal: ['build'], intersect: ['crossplay'] } };
  const player = (sub: string, build: string | undefined, crossplay: string[] | undefined): Waiting => ({
    sub,
    rating: 1500,
    queuedAt: T0,
    attributes: { ...(build === undefined ? {} : { build }), ...(crossplay === undefined ? {} : { crossplay }) },
  });

  it('matches only equal builds', () => {
    expect(formMatches([player('a', '1.4', ['pc']), player('b', '1.5', ['pc'])], rules, T0)).toEqual([]);
    expect(playersOf(formMatches([player('a', '1.4', ['pc']), player('b', '1.5', ['pc']), player('c', '1.5', ['pc'])], rules, T0))).toEqual([['b', 'c']]);
  });

  it('keeps a crossplay opt-out with its own platform: sets must share a value', () => {
    const pcOut = player('pc-out', '1.5', ['pc']);
    const ps5In = player('ps5-in', '1.5', ['ps5', 'any']);
    expect(formMatches([pcOut, ps5In], rules, T0)).toEqual([]);
    expect(formMatches([player('pc-in', '1.5', ['pc', 'any']), ps5In], rules, T0)).toHaveLength(1);
    expect(formMatches([pcOut, player('pc-in', '1.5', ['pc', 'any'])], rules, T0)).toHaveLength(1);
  });

  it('treats a missing attribute as a value of its own', () => {
    expect(formMatches([player('a', undefined, undefined), player('b', '1.5', ['pc'])], rules, T0)).toEqual([]);
    expect(formMatches([player('a', undefined, undefined), player('b', undefined, undefined)], rules, T0)).toHaveLength(1);
  });
});
