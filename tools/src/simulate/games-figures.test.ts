import { describe, expect, it } from 'vitest';
import { phi, playGame, randomPairsImbalance, spearman, winChance } from './games-figures.ts';
import { normal, seededRandom as seeded } from './population.ts';

describe('games figures', () => {
  it('spearman: 1 for the same order, -1 reversed, ties averaged', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 1, 1], [1, 2, 3, 4])).toBe(0);
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
  });

  it('phi and winChance: symmetric, a 250-point duel edge about 3 in 4', () => {
    expect(phi(0)).toBeCloseTo(0.5, 7);
    expect(phi(1.96)).toBeCloseTo(0.975, 4);
    expect(winChance([1750], [1500])).toBeCloseTo(phi(250 / (250 * Math.SQRT2)), 9);
    expect(winChance([1750], [1500])).toBeGreaterThan(0.75);
    expect(winChance([1750], [1500])).toBeLessThan(0.77);
    expect(winChance([1500, 1600], [1600, 1500])).toBeCloseTo(0.5, 7);
  });

  it('games follow the chances they are drawn from; random pairs of a wide population are unbalanced', () => {
    const random = seeded(3);
    let wins = 0;
    for (let i = 0; i < 20_000; i++) if (playGame([1750], [1500], random)[0] === 1) wins++;
    expect(wins / 20_000).toBeCloseTo(winChance([1750], [1500]), 1);
    const truths = Array.from({ length: 1_000 }, () => normal(random, 1500, 300));
    const imbalance = randomPairsImbalance(truths, random, 20_000);
    expect(imbalance).toBeGreaterThan(0.15);
    expect(imbalance).toBeLessThan(0.35);
    expect(randomPairsImbalance([1500, 1500], random, 1_000)).toBeLessThan(1e-6);
  });
});
