import { describe, expect, it } from 'vitest';
import { buildPopulation, seededRandom } from './population.ts';
import { percentiles, summarize, type PlayerOutcome } from './summary.ts';

describe('percentiles', () => {
  it('uses nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles(values)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    expect(percentiles([])).toEqual({ p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('summarize', () => {
  it('counts matches, spread, imbalance, errors and players seen in two matches', () => {
    const m1 = { id: 'm1', pool: { mode: 'duel', region: 'eu' }, teams: [[{ sub: 'a', rating: 1000 }], [{ sub: 'b', rating: 1100 }]], token: '' };
    const m2 = { id: 'm2', pool: { mode: 'duel', region: 'eu' }, teams: [[{ sub: 'b', rating: 1100 }], [{ sub: 'c', rating: 1400 }]], token: '' };
    const outcomes: PlayerOutcome[] = [
      { username: 'a', sub: 'a', match: m1, timeToMatchMs: 100 },
      { username: 'b', sub: 'b', match: m2, timeToMatchMs: 300 },
      { username: 'c', sub: 'c', match: m2, timeToMatchMs: 200 },
      { username: 'd', sub: 'd', error: 'revoked' },
      { username: 'e', sub: 'e', timedOut: true },
    ];
    const summary = summarize(outcomes);
    expect(summary).toMatchObject({ players: 5, matched: 3, unmatched: 2, timedOut: 1, matches: 2, matchedTwice: 1, errors: { revoked: 1 } });
    expect(summary.ratingSpread).toMatchObject({ p50: 100, max: 300 });
    expect(summary.teamImbalance.max).toBe(300);
    expect(summary.timeToMatchMs.p50).toBe(200);
  });
});

describe('buildPopulation', () => {
  it('is reproducible for a seed and spreads ratings around the mean', () => {
    const options = { players: 2000, modes: ['duel', 'squad'], regions: ['eu', 'na'], ratingMean: 1500, ratingStdDev: 300, rampMs: 1000, runId: 'r', seed: 7 };
    const a = buildPopulation(options);
    expect(buildPopulation(options)).toEqual(a);
    const mean = a.reduce((s, p) => s + p.rating, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, p) => s + (p.rating - mean) ** 2, 0) / a.length);
    expect(Math.abs(mean - 1500)).toBeLessThan(30);
    expect(Math.abs(sd - 300)).toBeLessThan(30);
    expect(new Set(a.map((p) => p.mode))).toEqual(new Set(['duel', 'squad']));
    expect(a.every((p) => p.arrivesAtMs >= 0 && p.arrivesAtMs <= 1000)).toBe(true);
    expect(seededRandom(1)()).not.toBe(seededRandom(2)());
  });
});
