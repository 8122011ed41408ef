import type { Member } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { balanceTeams, canPack, partiesFit, ratingSpread, teamImbalance, totalRating } from './teams.ts';

const player = (sub: string, rating: number): Member => ({ sub, rating });
const solo = (ratings: number[]) => ratings.map((r, i) => [player(`p${i}`, r)]);

/** Small deterministic generator so the property checks are exact and repeatable. */
function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('balanceTeams', () => {
  it('snake-drafts solo players', () => {
    const teams = balanceTeams(solo([2000, 1900, 1800, 1700]), 2, 2)!;
    expect(teams.map((t) => t.map((m) => m.rating))).toEqual([
      [2000, 1700],
      [1900, 1800],
    ]);
  });

  it('fills every team with exactly teamSize players', () => {
    const teams = balanceTeams(solo([1, 2, 3, 4, 5, 6, 7, 8, 9]), 3, 3)!;
    expect(teams.map((t) => t.length)).toEqual([3, 3, 3]);
    expect(new Set(teams.flat().map((m) => m.sub)).size).toBe(9);
  });

  it('keeps the team total gap within the rating spread (checked on 500 random matches)', () => {
    const random = lcg(7);
    for (let round = 0; round < 500; round++) {
      const teams = 2 + Math.floor(random() * 3);
      const teamSize = 1 + Math.floor(random() * 5);
      const ratings = Array.from({ length: teams * teamSize }, () => Math.round(1000 + random() * 1000));
      const result = balanceTeams(solo(ratings), teams, teamSize)!;
      const sums = result.map(totalRating);
      expect(Math.max(...sums) - Math.min(...sums)).toBeLessThanOrEqual(ratingSpread(result) + 1e-9);
    }
  });

  it('does better than plain snake draft where a swap helps', () => {
    // Snake draft alone gives 10+6+5 = 21 against 8+7+0 = 15; swapping 10 and 7 evens it.
    const result = balanceTeams(solo([10, 8, 7, 6, 5, 0]), 2, 3)!;
    expect(result.map(totalRating)).toEqual([18, 18]);
  });

  it('never splits a party', () => {
    const party = [player('a', 1500), player('b', 1600)];
    const groups = [party, [player('c', 1550)], [player('d', 1450)]];
    const result = balanceTeams(groups, 2, 2)!;
    const teamOf = (sub: string) => result.findIndex((t) => t.some((m) => m.sub === sub));
    expect(teamOf('a')).toBe(teamOf('b'));
    expect(result.map((t) => t.length)).toEqual([2, 2]);
  });

  it('packs parties where filling the lightest team first would strand one', () => {
    const groups = [
      [player('a1', 1), player('a2', 1), player('a3', 1)],
      [player('b1', 1), player('b2', 1), player('b3', 1)],
      [player('c1', 1), player('c2', 1)],
      [player('d1', 1), player('d2', 1)],
      [player('e1', 1), player('e2', 1)],
    ];
    const result = balanceTeams(groups, 2, 6);
    expect(result?.map((t) => t.length)).toEqual([6, 6]);
  });

  it('refuses groups that cannot fill the teams exactly', () => {
    expect(balanceTeams([[player('a', 1), player('b', 1), player('c', 1)], [player('d', 1)]], 2, 2)).toBeUndefined();
    expect(balanceTeams(solo([1, 2, 3]), 2, 2)).toBeUndefined();
  });

  it('is deterministic', () => {
    const groups = solo([1500, 1500, 1500, 1500, 1510, 1490]);
    expect(balanceTeams(groups, 2, 3)).toEqual(balanceTeams(groups, 2, 3));
  });
});

describe('canPack', () => {
  it('accepts partial solo selections and refuses oversize parties', () => {
    expect(canPack([1, 1, 1], 2, 2)).toBe(true);
    expect(canPack([3], 2, 2)).toBe(false);
    expect(canPack([1, 1, 1, 1, 1], 2, 2)).toBe(false);
  });

  it('checks that parties still fit together', () => {
    expect(canPack([3, 3, 2], 2, 4)).toBe(false);
    expect(canPack([3, 2, 2, 1], 2, 4)).toBe(true);
  });
});

describe('match figures', () => {
  it('measures spread and mean-rating imbalance', () => {
    const teams = [
      [player('a', 1600), player('b', 1400)],
      [player('c', 1550), player('d', 1550)],
    ];
    expect(ratingSpread(teams)).toBe(200);
    expect(teamImbalance(teams)).toBe(50);
  });
});

describe('partiesFit', () => {
  it('agrees with the exact packing on every mix of parties (FFD first, exact search when it fails)', () => {
    const rooms = new Int32Array(16);
    for (const [teams, teamSize] of [[2, 4], [2, 5], [3, 6], [4, 3]] as const) {
      // Every count vector of parties sized 2..teamSize with at most teams * teamSize players.
      const visit = (size: number, counts: Int32Array, players: number): void => {
        if (size > teamSize) {
          const sizes = [...counts].flatMap((c, s) => Array.from({ length: c }, () => s));
          expect(partiesFit(counts, teams, teamSize, rooms), `${teams}x${teamSize}: ${sizes.join(',')}`).toBe(canPack(sizes, teams, teamSize));
          return;
        }
        for (let c = 0; players + c * size <= teams * teamSize; c++) {
          counts[size] = c;
          visit(size + 1, counts, players + c * size);
        }
        counts[size] = 0;
      };
      visit(2, new Int32Array(teamSize + 1), 0);
    }
  });
});
