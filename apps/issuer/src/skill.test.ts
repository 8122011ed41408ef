import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SKILL_SCALE, newPlayerSkill, skillsAfter, winChances, type Skill } from './skill.ts';

const skill: fc.Arbitrary<Skill> = fc.record({ mu: fc.double({ min: 500, max: 2500, noNaN: true }), sigma: fc.double({ min: 30, max: 500, noNaN: true }) });
const team = fc.array(skill, { minLength: 1, maxLength: 5 });

describe('skillsAfter', () => {
  it('moves winners up and losers down, and is surer of everyone than tau allows otherwise', () => {
    fc.assert(
      fc.property(team, team, (winners, losers) => {
        const [w, l] = skillsAfter([winners, losers], [1, 2]);
        w!.forEach((after, i) => expect(after.mu).toBeGreaterThan(winners[i]!.mu));
        l!.forEach((after, i) => expect(after.mu).toBeLessThan(losers[i]!.mu));
        // tau widens sigma a little before the update; the update then narrows it.
        [...w!, ...l!].forEach((after, i) => expect(after.sigma).toBeLessThanOrEqual(Math.hypot([...winners, ...losers][i]!.sigma, DEFAULT_SKILL_SCALE.tau) + 1e-9));
      }),
    );
  });

  it('a tie between equals changes neither mu; the ranks, not the team order, decide', () => {
    const a = newPlayerSkill();
    const [x, y] = skillsAfter([[a], [a]], [1, 1]);
    expect(x![0]!.mu).toBeCloseTo(a.mu, 6);
    expect(y![0]!.mu).toBeCloseTo(a.mu, 6);
    const [lost, won] = skillsAfter([[a], [a]], [2, 1]);
    expect(won![0]!.mu).toBeGreaterThan(a.mu);
    expect(lost![0]!.mu).toBeLessThan(a.mu);
  });

  it('an upset moves more than an expected result', () => {
    const strong = { mu: 1800, sigma: 150 };
    const weak = { mu: 1300, sigma: 150 };
    const expected = skillsAfter([[strong], [weak]], [1, 2])[0]![0]!;
    const upset = skillsAfter([[strong], [weak]], [2, 1])[0]![0]!;
    expect(strong.mu - upset.mu).toBeGreaterThan(expected.mu - strong.mu);
  });

  it('refuses ranks that do not fit the teams', () => {
    const a = newPlayerSkill();
    expect(() => skillsAfter([[a], [a]], [1])).toThrow(RangeError);
    expect(() => skillsAfter([[a], [a]], [1, 0])).toThrow(RangeError);
    expect(() => skillsAfter([[a], []], [1, 2])).toThrow(RangeError);
  });
});

describe('winChances', () => {
  it('sum to 1 and favour the stronger team', () => {
    fc.assert(
      fc.property(team, team, (a, b) => {
        const [pa, pb] = winChances([a, b]);
        expect(pa! + pb!).toBeCloseTo(1, 9);
        const sum = (t: Skill[]) => t.reduce((s, p) => s + p.mu, 0);
        if (sum(a) > sum(b) + 1) expect(pa).toBeGreaterThan(0.5);
      }),
    );
  });

  it('a beta-sized gap between two sure players is about a 3 in 4 chance', () => {
    const [p] = winChances([[{ mu: 1750, sigma: 1 }], [{ mu: 1500, sigma: 1 }]]);
    expect(p).toBeGreaterThan(0.7);
    expect(p).toBeLessThan(0.8);
  });
});

/** Spearman's rank correlation (no ties in continuous values). */
function spearman(xs: readonly number[], ys: readonly number[]): number {
  const ranks = (v: readonly number[]) => {
    const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    order.forEach(([, i], rank) => (r[i] = rank));
    return r;
  };
  const [rx, ry] = [ranks(xs), ranks(ys)];
  const n = xs.length;
  const d2 = rx.reduce((s, r, i) => s + (r - ry[i]!) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

describe('learning from duels', () => {
  it('ranks 1,000 players by a hidden skill within 20 games each (Spearman >= 0.9), paired by rating as a matchmaker would', () => {
    // A seeded generator: the same population and outcomes every run.
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const truth = Array.from({ length: 1_000 }, () => 1500 + 300 * normal());
    const skills: Skill[] = truth.map(() => newPlayerSkill());
    for (let round = 0; round < 20; round++) {
      // Neighbours by current rating, with a little noise so pairs change between rounds.
      const order = skills.map((s, i) => [s.mu + 100 * normal(), i] as const).sort((a, b) => a[0] - b[0]);
      for (let k = 0; k + 1 < order.length; k += 2) {
        const [a, b] = [order[k]![1], order[k + 1]![1]];
        // The game: each performs at their true skill plus beta-sized noise.
        const aWins = truth[a]! + DEFAULT_SKILL_SCALE.beta * normal() > truth[b]! + DEFAULT_SKILL_SCALE.beta * normal();
        const [ta, tb] = skillsAfter([[skills[a]!], [skills[b]!]], aWins ? [1, 2] : [2, 1]);
        skills[a] = ta![0]!;
        skills[b] = tb![0]!;
      }
    }
    expect(spearman(skills.map((s) => s.mu), truth)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('balancing two teams by win chance or by rating sums', () => {
  /** Every way to split `players` into two teams of equal size (the first player always in team A). */
  function splits(count: number): number[][] {
    const half = count / 2;
    const out: number[][] = [];
    for (let mask = 0; mask < 1 << count; mask++) {
      if ((mask & 1) === 0) continue;
      const members = [...Array(count).keys()].filter((i) => mask & (1 << i));
      if (members.length === half) out.push(members);
    }
    return out;
  }

  it('choose equally balanced teams: with two teams the chance depends on the gap in summed mu only', () => {
    // OpenSkill's chance for two teams divides their summed-mu gap by a spread built from every
    // player's sigma and beta, the same for every split of the same players: the split with the
    // smallest gap is the split with the chance nearest 1/2. Checked on 300 random 4v4 groups.
    let seed = 11;
    const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    for (let g = 0; g < 300; g++) {
      const players: Skill[] = Array.from({ length: 8 }, () => ({ mu: 1000 + random() * 1000, sigma: 30 + random() * 470 }));
      const teamsOf = (a: number[]) => [a.map((i) => players[i]!), players.filter((_, i) => !a.includes(i))];
      const gap = (a: number[]) => Math.abs(teamsOf(a).map((t) => t.reduce((s, p) => s + p.mu, 0)).reduce((x, y) => x - y));
      const offEven = (a: number[]) => Math.abs(winChances(teamsOf(a))[0]! - 0.5);
      const all = splits(8);
      const bySums = all.reduce((best, a) => (gap(a) < gap(best) ? a : best));
      const byChance = all.reduce((best, a) => (offEven(a) < offEven(best) ? a : best));
      expect(offEven(bySums)).toBeCloseTo(offEven(byChance), 12);
    }
  });
});
