import { describe, expect, it } from 'vitest';
import { buildPopulation, formParties } from './population.ts';
import { buildProfiles, requestExtras, type PlayerProfile } from './profiles.ts';

const regions = ['eu', 'na', 'sa', 'asia'];
const crowd = buildPopulation({ players: 3_000, modes: ['duel', 'squad'], regions, ratingMean: 1500, ratingStdDev: 300, rampMs: 5_000, runId: 't', seed: 4 });
const options = { regions, crossplayOptOut: 0.2, oldBuildShare: 0.1 };

describe('buildProfiles', () => {
  it('mixes platforms, crossplay opt-outs and old builds at the shares asked, with latencies from each home region', () => {
    const profiles = buildProfiles(crowd, options, 1);
    const share = (test: (p: PlayerProfile) => boolean) => profiles.filter(test).length / profiles.length;
    expect(share((p) => p.platform === 'pc')).toBeCloseTo(0.5, 1);
    expect(share((p) => p.platform === 'playstation')).toBeCloseTo(0.3, 1);
    expect(share((p) => p.platform === 'xbox')).toBeCloseTo(0.2, 1);
    expect(share((p) => p.crossplayOptOut)).toBeCloseTo(0.2, 1);
    expect(share((p) => p.oldBuild)).toBeCloseTo(0.1, 1);
    crowd.forEach((player, i) => {
      const latencies = profiles[i]!.latencies;
      expect(Object.keys(latencies).sort()).toEqual([...regions].sort());
      // Home is the nearest region.
      expect(Math.min(...Object.values(latencies))).toBe(latencies[player.region]);
    });
    expect(buildProfiles(crowd, options, 1)).toEqual(profiles);
    expect(buildProfiles(crowd, { ...options, crossplayOptOut: 0, oldBuildShare: 0 }, 1).some((p) => p.crossplayOptOut || p.oldBuild)).toBe(false);
  });

  it('gives a party its leader\'s profile, and nobody else\'s', () => {
    const players = formParties(crowd, { share: 0.3, minSize: 2, maxSize: 4, maxPartySize: (mode) => (mode === 'squad' ? 4 : 1) }, 2);
    const profiles = buildProfiles(players, options, 1);
    const leaders = new Map(players.filter((p) => p.party?.leader).map((p) => [p.party!.id, p.index]));
    expect(leaders.size).toBeGreaterThan(50);
    for (const p of players) {
      if (p.party === undefined) continue;
      expect(profiles[p.index]).toBe(profiles[leaders.get(p.party.id)!]);
    }
    const solo = players.filter((p) => p.party === undefined).map((p) => profiles[p.index]);
    expect(new Set(solo).size).toBe(solo.length);
  });
});

describe('requestExtras', () => {
  const profile: PlayerProfile = { latencies: { eu: 20, na: 110 }, platform: 'xbox', crossplayOptOut: false, oldBuild: false };
  const declared = {
    build: { values: ['1.4.2', '1.5.0'] },
    crossplay: { values: ['pc', 'playstation', 'xbox', 'any'], set: true },
  };

  it('sends latencies always and attributes only when declared', () => {
    expect(requestExtras(profile, {})).toEqual({ latencies: { eu: 20, na: 110 } });
    expect(requestExtras(profile, declared)).toEqual({ latencies: { eu: 20, na: 110 }, attributes: { build: '1.5.0', crossplay: ['xbox', 'any'] } });
    expect(requestExtras(profile, { build: declared.build })).toEqual({ latencies: { eu: 20, na: 110 }, attributes: { build: '1.5.0' } });
  });

  it('sends the build before the last for an old build, and only the own platform for an opt-out', () => {
    expect(requestExtras({ ...profile, oldBuild: true, crossplayOptOut: true }, declared).attributes).toEqual({ build: '1.4.2', crossplay: ['xbox'] });
    // One allowed build: everyone is on it.
    expect(requestExtras({ ...profile, oldBuild: true }, { build: { values: ['2.0'] } }).attributes).toEqual({ build: '2.0' });
  });

  it('leaves out what the allow-list cannot express', () => {
    expect(requestExtras(profile, { crossplay: { values: ['pc', 'any'], set: true } }).attributes).toBeUndefined();
    expect(requestExtras(profile, { crossplay: { values: ['pc', 'xbox'], set: true } }).attributes).toBeUndefined();
    expect(requestExtras(profile, { crossplay: { values: ['xbox', 'any'] } }).attributes).toBeUndefined();
    expect(requestExtras(profile, { build: { values: ['1.5.0'], set: true } }).attributes).toBeUndefined();
  });
});
