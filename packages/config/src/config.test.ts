import { describe, expect, it } from 'vitest';
import { ConfigError, DEMO_CONFIG, matchmakerUrlFor, maxPartySizeOf, parseSharedConfig, poolKeyOf, poolKeysOf, teamSizeOf } from './config.ts';

describe('mode rules: sizes, latency, attributes', () => {
  const attributes = { build: { values: ['1.4', '1.5'] }, crossplay: { values: ['pc', 'ps5', 'any'], set: true } };
  const mode = (extra: object) => ({ ...DEMO_CONFIG, attributes, modes: { squad: { teams: 2, teamSize: 4, ...extra } } });
  const fails = (extra: object, message: RegExp) => expect(() => parseSharedConfig(mode(extra), 'rules.json')).toThrow(message);

  it('takes a team size range and a latency rule, and makes a latency mode one pool', () => {
    const config = parseSharedConfig({
      ...mode({ teamSize: { min: 2, max: 4 }, latency: { maxMs: 60, widenToMs: 150, widenAfterMs: 30_000 }, attributes: { equal: ['build'], intersect: ['crossplay'] } }),
      modes: {
        duel: { teams: 2, teamSize: 1 },
        squad: { teams: 2, teamSize: { min: 2, max: 4 }, latency: { maxMs: 60, widenToMs: 150, widenAfterMs: 30_000 } },
      },
      matchmakers: { pools: { squad: 'http://127.0.0.1:9002', 'duel/na': 'http://127.0.0.1:9003' } },
    });
    expect(teamSizeOf(config.modes.squad!)).toEqual({ min: 2, max: 4, shrinkAfterMs: 30_000 });
    expect(teamSizeOf(config.modes.duel!)).toEqual({ min: 1, max: 1, shrinkAfterMs: 0 });
    expect(maxPartySizeOf(config.modes.squad!)).toBe(4);
    expect(poolKeysOf(config)).toEqual(['duel/eu', 'duel/na', 'squad']);
    expect(poolKeyOf(config, { mode: 'squad', region: 'eu' })).toBe('squad');
    expect(matchmakerUrlFor(config, { mode: 'squad', region: 'na' })).toBe('http://127.0.0.1:9002');
    expect(matchmakerUrlFor(config, { mode: 'duel', region: 'na' })).toBe('http://127.0.0.1:9003');
  });

  it('names the field of a bad rule: min > max, widening that shrinks, unknown or misplaced attributes', () => {
    fails({ teamSize: { min: 5, max: 4 } }, /modes\.squad\.teamSize\.min: must be <= max/);
    fails({ latency: { maxMs: 100, widenToMs: 80, widenAfterMs: 10_000 } }, /modes\.squad\.latency\.widenToMs: must be >= maxMs: the bound only widens/);
    fails({ attributes: { equal: ['platform'] } }, /modes\.squad\.attributes\.equal\.0: unknown attribute "platform" \(declared: build, crossplay\)/);
    fails({ attributes: { equal: ['crossplay'] } }, /modes\.squad\.attributes\.equal\.0: crossplay is a set attribute/);
    fails({ attributes: { intersect: ['build'] } }, /modes\.squad\.attributes\.intersect\.0: build is a single value/);
    fails({ teamSize: { min: 2, max: 4 }, maxPartySize: 5 }, /modes\.squad\.maxPartySize/);
  });

  it('refuses a shard map that maps a latency mode by region, or a plain mode without one', () => {
    const latency = { maxMs: 60, widenToMs: 150, widenAfterMs: 30_000 };
    expect(() => parseSharedConfig({ ...mode({ latency }), matchmakers: { pools: { 'squad/eu': 'http://127.0.0.1:9002' } } })).toThrow(
      /matchmakers\.pools\.squad\/eu: squad has a latency rule: it is one pool across regions, mapped as "squad"/,
    );
    expect(() => parseSharedConfig({ ...mode({}), matchmakers: { pools: { squad: 'http://127.0.0.1:9002' } } })).toThrow(/matchmakers\.pools\.squad: squad has no latency rule/);
  });
});

describe('parseSharedConfig', () => {
  it('fills defaults around the demo modes', () => {
    const config = parseSharedConfig(DEMO_CONFIG);
    expect(config.modes.squad).toMatchObject({ teams: 2, teamSize: 4, defaultRating: 1500 });
    expect(config.audiences.ticket).toBe('ticketbooth-matchmaker');
    expect(config.resubmitIntervalMs).toBe(5_000);
    expect(config.matchmakers.default).toBe('http://127.0.0.1:8701');
  });

  it('names every bad field in one readable error', () => {
    const bad = { modes: { 'Bad Mode': { teams: 1, teamSize: 0 } }, regions: [] };
    expect(() => parseSharedConfig(bad, 'test.json')).toThrow(ConfigError);
    try {
      parseSharedConfig(bad, 'test.json');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('test.json');
      expect(message).toContain('regions');
      expect(message).toContain('modes');
    }
  });

  it('refuses a ticket lifetime shorter than two resubmit intervals', () => {
    expect(() => parseSharedConfig({ ...DEMO_CONFIG, ticketTtlMs: 9_000, resubmitIntervalMs: 5_000 })).toThrow(
      /two resubmit intervals/,
    );
  });

  it('refuses names an object already has: a shard map entry for constructor/eu, a mode called prototype', () => {
    const url = 'http://127.0.0.1:9001';
    expect(() => parseSharedConfig({ ...DEMO_CONFIG, matchmakers: { default: url, pools: { 'constructor/eu': url } } })).toThrow(/not configured/);
    expect(() => parseSharedConfig({ ...DEMO_CONFIG, modes: { prototype: { teams: 2, teamSize: 1 } } })).toThrow(/modes\.prototype/);
  });

  it('takes maxPartySize from 1 to teamSize, teamSize when absent', () => {
    const config = parseSharedConfig({
      ...DEMO_CONFIG,
      modes: { duel: { teams: 2, teamSize: 1 }, squad: { teams: 2, teamSize: 4, maxPartySize: 2 }, solo: { teams: 4, teamSize: 3, maxPartySize: 1 } },
    });
    expect(config.modes.duel?.maxPartySize).toBeUndefined();
    expect([config.modes.duel, config.modes.squad, config.modes.solo].map((m) => maxPartySizeOf(m!))).toEqual([1, 2, 1]);
    expect(maxPartySizeOf(parseSharedConfig(DEMO_CONFIG).modes.squad!)).toBe(4);
  });

  it('refuses a maxPartySize over teamSize, naming the field: parties are never split across teams', () => {
    const modes = { squad: { teams: 2, teamSize: 4, maxPartySize: 5 } };
    expect(() => parseSharedConfig({ ...DEMO_CONFIG, modes }, 'test.json')).toThrow(
      /modes\.squad\.maxPartySize: must be <= teamSize: a party is never split across teams/,
    );
    for (const maxPartySize of [0, 2.5, 65]) {
      expect(() => parseSharedConfig({ ...DEMO_CONFIG, modes: { squad: { teams: 2, teamSize: 64, maxPartySize } } })).toThrow(
        /modes\.squad\.maxPartySize/,
      );
    }
  });

  it('routes pools through the shard map, with a default', () => {
    const config = parseSharedConfig({
      ...DEMO_CONFIG,
      matchmakers: { default: 'http://127.0.0.1:9000', pools: { 'squad/eu': 'http://127.0.0.1:9001' } },
    });
    expect(matchmakerUrlFor(config, { mode: 'squad', region: 'eu' })).toBe('http://127.0.0.1:9001');
    expect(matchmakerUrlFor(config, { mode: 'duel', region: 'eu' })).toBe('http://127.0.0.1:9000');
  });

  it('refuses a shard map entry for an unknown pool', () => {
    expect(() =>
      parseSharedConfig({ ...DEMO_CONFIG, matchmakers: { pools: { 'chess/eu': 'http://127.0.0.1:9001' } } }),
    ).toThrow(/not configured/);
  });
});
