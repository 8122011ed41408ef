import { describe, expect, it } from 'vitest';
import { explainSearch } from './explain.ts';
import type { MatchRules, Waiting } from './form-matches.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const duel: MatchRules = { teams: 2, teamSize: 1, ratingWindow: { initial: 50, widenPerSecond: 10, max: 600 } };
const w = (sub: string, rating: number, waitedMs = 0, party?: Waiting['party']): Waiting => ({ sub, rating, queuedAt: T0 - waitedMs, ...(party ? { party } : {}) });

describe('explainSearch', () => {
  it('counts who is compatible both ways now, and says when widening reaches the nearest one who is not', () => {
    const me = w('me', 1500, 10_000); // window 150
    const pool = [me, w('near', 1600, 10_000), w('narrow', 1640, 0), w('far', 1800, 0), w('beyond', 2500, 0)];
    const x = explainSearch(me, pool, duel, T0, 1_000);
    expect(x).toMatchObject({
      queuedForMs: 10_000,
      group: { players: 1, rating: 1500 },
      ratingWindow: { halfWidth: 150, low: 1350, high: 1650, max: 600, widenPerSecond: 10, widestInMs: 45_000 },
      size: { teams: 2, teamSize: 1, playersNeeded: 2 },
      // 'narrow' is in my window but I am not yet in its (window 50, gap 140: 9 s more).
      compatibleNow: { groups: 1, players: 1 },
      nearestIncompatible: { ratingGap: 140, reachableInMs: 9_000 },
      scanned: 5,
    });
  });

  it('says never when the gap is beyond the widest window, and counts a party by its mean', () => {
    const me = w('me', 1500, 0, [{ sub: 'friend', rating: 1700 }]); // mean 1600
    const x = explainSearch(me, [me, w('beyond', 2300)], duel, T0, 1_000);
    expect(x.group).toEqual({ players: 2, rating: 1600 });
    expect(x.nearestIncompatible).toEqual({ ratingGap: 700, blockedBy: 'rating', reachableInMs: null });
    expect(x.compatibleNow).toEqual({ groups: 0, players: 0 });
  });

  it('stops at the scan limit', () => {
    const me = w('me', 1500);
    const pool = Array.from({ length: 50 }, (_, i) => w(`p${i}`, 1500));
    expect(explainSearch(me, pool, duel, T0, 10)).toMatchObject({ scanned: 10, compatibleNow: { groups: 10 } });
  });

  it('explains the latency bound, when each region opens, and that latency is what keeps two apart', () => {
    const rules: MatchRules = { ...duel, latency: { maxMs: 50, widenToMs: 150, widenAfterMs: 20_000 } };
    const me: Waiting = { sub: 'me', rating: 1500, queuedAt: T0 - 4_000, latencies: { eu: 30, na: 90, sa: 200 } };
    const other: Waiting = { sub: 'other', rating: 1500, queuedAt: T0 - 4_000, latencies: { na: 40 } };
    const x = explainSearch(me, [me, other], rules, T0, 1_000);
    // Bound after 4 s: 50 + 100 x 4/20 = 70; na (90) opens at 8 s, sa (200) never.
    expect(x.latency).toEqual({
      boundMs: 70,
      widenToMs: 150,
      widestInMs: 16_000,
      regions: [
        { region: 'eu', latencyMs: 30, eligibleInMs: 0 },
        { region: 'na', latencyMs: 90, eligibleInMs: 4_000 },
        { region: 'sa', latencyMs: 200, eligibleInMs: null },
      ],
    });
    expect(x.compatibleNow).toEqual({ groups: 0, players: 0 });
    expect(x.nearestIncompatible).toEqual({ ratingGap: 0, blockedBy: 'latency', reachableInMs: 4_000 });
  });

  it('says when smaller teams are allowed, and counts those whose attributes never fit', () => {
    const rules: MatchRules = { ...duel, teamSize: { min: 1, max: 3, shrinkAfterMs: 20_000 }, attributes: { equal: ['build'], intersect: [] } };
    const me: Waiting = { sub: 'me', rating: 1500, queuedAt: T0 - 5_000, attributes: { build: '1.5' } };
    const pool = [me, { sub: 'old', rating: 1500, queuedAt: T0, attributes: { build: '1.4' } }, { sub: 'same', rating: 1500, queuedAt: T0, attributes: { build: '1.5' } }];
    const x = explainSearch(me, pool, rules, T0, 1_000);
    expect(x.size).toEqual({ teams: 2, teamSize: 3, minTeamSize: 1, smallerTeamsInMs: 15_000, playersNeeded: 6 });
    expect(x.attributeMismatches).toBe(1);
    expect(x.compatibleNow).toEqual({ groups: 1, players: 1 });
    expect(explainSearch(me, pool, rules, T0 + 15_000, 1_000).size).toMatchObject({ smallerTeamsInMs: 0, playersNeeded: 2 });
  });
});
