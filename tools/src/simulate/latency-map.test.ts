import { describe, expect, it } from 'vitest';
import { HOME_MS, INTER_REGION_MS, UNKNOWN_PAIR_MS, interRegionMs, latencyMap, worstLatency } from './latency-map.ts';
import { seededRandom } from './population.ts';

const regions = ['eu', 'na', 'sa', 'asia'];

describe('interRegionMs', () => {
  it('is 0 within a region, the same both ways, and a default for pairs it does not know', () => {
    expect(interRegionMs('eu', 'eu')).toBe(0);
    expect(interRegionMs('eu', 'na')).toBe(90);
    expect(interRegionMs('na', 'eu')).toBe(90);
    expect(interRegionMs('asia', 'sa')).toBe(280);
    expect(interRegionMs('eu', 'oce')).toBe(UNKNOWN_PAIR_MS);
    for (const pair of Object.keys(INTER_REGION_MS)) {
      const [a, b] = pair.split('/') as [string, string];
      expect(interRegionMs(a, b)).toBe(interRegionMs(b, a));
    }
  });
});

describe('latencyMap', () => {
  const maps = (home: string, seed: number, n = 2_000) => {
    const random = seededRandom(seed);
    return Array.from({ length: n }, () => latencyMap(home, regions, random));
  };

  it('measures every region in whole ms: the home hop within its range, elsewhere that hop plus the backbone ±10 %', () => {
    for (const home of regions) {
      for (const map of maps(home, 3, 500)) {
        expect(Object.keys(map).sort()).toEqual([...regions].sort());
        const lastMile = map[home]!;
        expect(Number.isInteger(lastMile)).toBe(true);
        expect(lastMile).toBeGreaterThanOrEqual(HOME_MS.min);
        expect(lastMile).toBeLessThanOrEqual(HOME_MS.max);
        for (const region of regions) {
          if (region === home) continue;
          const backbone = interRegionMs(home, region);
          expect(Number.isInteger(map[region])).toBe(true);
          // Rounding of the home hop and of the total: a millisecond either way.
          expect(map[region]!).toBeGreaterThanOrEqual(lastMile + backbone * 0.9 - 1);
          expect(map[region]!).toBeLessThanOrEqual(lastMile + backbone * 1.1 + 1);
        }
      }
    }
  });

  it('spreads the home hop and the jitter over their ranges, and repeats for a seed', () => {
    const eu = maps('eu', 5);
    const home = eu.map((m) => m.eu!);
    const mean = home.reduce((a, b) => a + b, 0) / home.length;
    expect(mean).toBeGreaterThan(23);
    expect(mean).toBeLessThan(27);
    expect(Math.min(...home)).toBeLessThanOrEqual(11);
    expect(Math.max(...home)).toBeGreaterThanOrEqual(39);
    const toNa = eu.map((m) => m.na! - m.eu!);
    expect(Math.max(...toNa) - Math.min(...toNa)).toBeGreaterThan(15);
    expect(maps('eu', 5, 50)).toEqual(eu.slice(0, 50));
    expect(maps('eu', 6, 50)).not.toEqual(eu.slice(0, 50));
  });

  it('keeps the ordering of the backbone where jitter cannot swap it: from eu, na before asia and sa; from na, sa before asia', () => {
    for (const map of maps('eu', 9, 300)) {
      expect(map.eu!).toBeLessThan(map.na!);
      expect(map.na!).toBeLessThan(Math.min(map.asia!, map.sa!));
    }
    for (const map of maps('na', 9, 300)) expect(map.sa!).toBeLessThan(map.asia!);
  });
});

describe('worstLatency', () => {
  it('is the highest member latency to the region, Infinity when a member did not measure it', () => {
    const players = [{ latencies: { eu: 20, na: 110 } }, { latencies: { eu: 35, na: 95 } }];
    expect(worstLatency(players, 'eu')).toBe(35);
    expect(worstLatency(players, 'na')).toBe(110);
    expect(worstLatency(players, 'sa')).toBe(Infinity);
  });
});
