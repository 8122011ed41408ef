import { describe, expect, it } from 'vitest';
import { LOW_POPULATION_SHARE, parseModeShares, selectPlay, type Catalog, type ModeInfo } from './catalog.ts';

const mode = (name: string, teamSize: number, minTeamSize = teamSize): ModeInfo => ({
  name,
  teams: 2,
  teamSize,
  minTeamSize,
  maxPartySize: teamSize,
  latency: null,
  attributes: { equal: [], intersect: [] },
});
const catalog: Catalog = { modes: [mode('duel', 1), mode('squad', 4), mode('siege', 5, 3)], regions: ['eu', 'na', 'sa'], attributes: {} };

describe('selectPlay', () => {
  it('plays everything offered, with the low-population share for a mode whose teams may shrink', () => {
    expect(selectPlay(catalog, {})).toEqual({ modes: ['duel', 'squad', 'siege'], regions: ['eu', 'na', 'sa'], modeShares: { siege: LOW_POPULATION_SHARE } });
  });

  it('narrows to the modes and regions asked, shares as asked, and refuses what is not offered', () => {
    expect(selectPlay(catalog, { modes: ['duel', 'squad'], regions: ['eu'] })).toEqual({ modes: ['duel', 'squad'], regions: ['eu'], modeShares: {} });
    expect(selectPlay(catalog, { modeShares: { siege: 0.2 } }).modeShares).toEqual({ siege: 0.2 });
    expect(selectPlay(catalog, { modes: ['siege'] }).modeShares).toEqual({});
    expect(() => selectPlay(catalog, { modes: ['duel', 'arena'] })).toThrow(/arena is not offered/);
    expect(() => selectPlay(catalog, { regions: ['asia'] })).toThrow(/asia is not offered/);
  });
});

describe('parseModeShares', () => {
  it('reads mode=share pairs and refuses anything else', () => {
    expect(parseModeShares('siege=0.05,duel=0.3')).toEqual({ siege: 0.05, duel: 0.3 });
    expect(() => parseModeShares('siege')).toThrow(/--mode-share/);
    expect(() => parseModeShares('siege=1.5')).toThrow(/--mode-share/);
  });
});
