import { describe, expect, it } from 'vitest';
import { buildPopulation, formParties, modePicker } from './population.ts';

const crowd = buildPopulation({ players: 400, modes: ['duel', 'squad'], regions: ['eu', 'na'], ratingMean: 1500, ratingStdDev: 300, rampMs: 5_000, runId: 't', seed: 7 });
const caps = (mode: string) => (mode === 'squad' ? 4 : 1);

describe('formParties', () => {
  it('puts about the share asked in parties of 2..max within the mode cap, one mode and region per party, members arriving with their leader', () => {
    const players = formParties(crowd, { share: 0.3, minSize: 2, maxSize: 4, maxPartySize: caps }, 1);
    const parties = new Map<number, typeof players>();
    for (const p of players) if (p.party) parties.set(p.party.id, [...(parties.get(p.party.id) ?? []), p]);
    const inParties = [...parties.values()].reduce((n, members) => n + members.length, 0);
    expect(inParties).toBeGreaterThan(400 * 0.25);
    expect(inParties).toBeLessThanOrEqual(400 * 0.3);
    for (const members of parties.values()) {
      expect(members.length).toBeGreaterThanOrEqual(2);
      expect(members.length).toBeLessThanOrEqual(4);
      expect(members.filter((m) => m.party!.leader)).toHaveLength(1);
      expect(new Set(members.map((m) => `${m.mode}/${m.region}/${m.arrivesAtMs}`)).size).toBe(1);
      expect(members.every((m) => m.mode === 'squad' && m.party!.size === members.length)).toBe(true);
    }
  });

  it('is the same for the same seed, and forms none at share 0 or in modes without parties', () => {
    const options = { share: 0.3, minSize: 2, maxSize: 4, maxPartySize: caps };
    expect(formParties(crowd, options, 3)).toEqual(formParties(crowd, options, 3));
    expect(formParties(crowd, { ...options, share: 0 }, 3).some((p) => p.party)).toBe(false);
    expect(formParties(crowd, { ...options, maxPartySize: () => 1 }, 3).some((p) => p.party)).toBe(false);
  });
});

describe('buildPopulation with mode shares', () => {
  const options = { players: 4_000, modes: ['duel', 'squad', 'siege'], regions: ['eu', 'na'], ratingMean: 1500, ratingStdDev: 300, rampMs: 5_000, runId: 't', seed: 11 };

  it('gives a mode its share and splits the rest evenly, leaving ratings, regions and arrivals as without shares', () => {
    const even = buildPopulation(options);
    const shared = buildPopulation({ ...options, modeShares: { siege: 0.05 } });
    const share = (mode: string) => shared.filter((p) => p.mode === mode).length / shared.length;
    expect(share('siege')).toBeGreaterThan(0.04);
    expect(share('siege')).toBeLessThan(0.06);
    expect(share('duel')).toBeCloseTo(0.475, 1);
    expect(share('squad')).toBeCloseTo(0.475, 1);
    const rest = (p: { rating: number; region: string; arrivesAtMs: number }) => [p.rating, p.region, p.arrivesAtMs];
    expect(shared.map(rest)).toEqual(even.map(rest));
    expect(buildPopulation({ ...options, modeShares: {} })).toEqual(even);
  });

  it('picks by cumulative share, and refuses shares it cannot honour', () => {
    const pick = modePicker(['a', 'b', 'c'], { a: 0.1, c: 0.5 });
    expect([0, 0.099, 0.1, 0.499, 0.5, 0.999].map(pick)).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(modePicker(['a', 'b'], undefined)(0.6)).toBe('b');
    expect(() => modePicker(['a', 'b'], { a: 0.7, b: 0.7 })).toThrow(/at most 1/);
    expect(() => modePicker(['a', 'b'], { a: 0.5, b: 0.4 })).toThrow(/exactly 1/);
    expect(() => modePicker(['a'], { z: 0.1 })).toThrow(/not among the modes/);
  });
});
