import { describe, expect, it } from 'vitest';
import type { Match } from '@ticketbooth/client';
import type { ModeInfo } from './catalog.ts';
import { boundAfter, modeFigures, ruleChecks, violations, worstMemberLatency, type PlayerFacts } from './mode-figures.ts';
import type { PlayerOutcome } from './summary.ts';

const T0 = Date.UTC(2026, 0, 1);
const latency = { maxMs: 60, widenToMs: 150, widenAfterMs: 30_000 };
const squad: ModeInfo = {
  name: 'squad',
  teams: 2,
  teamSize: 2,
  minTeamSize: 1,
  maxPartySize: 2,
  latency,
  attributes: { equal: ['build'], intersect: ['crossplay'] },
  shrinkAfterMs: 20_000,
};
const duel: ModeInfo = { name: 'duel', teams: 2, teamSize: 1, minTeamSize: 1, maxPartySize: 1, latency: null, attributes: { equal: [], intersect: [] } };

/** A player queued at T0 on build 1.5.0, pc, crossplay on, unless told otherwise. */
const fact = (latencies: Record<string, number>, more: Partial<PlayerFacts> = {}): PlayerFacts => ({
  mode: 'squad',
  latencies,
  platform: 'pc',
  crossplayOptOut: false,
  attributes: { build: '1.5.0', crossplay: ['pc', 'any'] },
  queuedAt: T0,
  ...more,
});
const match = (id: string, region: string, teams: string[][], mode = 'squad'): Match => ({
  id,
  pool: { mode, region },
  teams: teams.map((t) => t.map((sub, i) => ({ sub, rating: 1500 + 100 * i }))),
  token: id,
});
/** Every match formed 10 s after T0, the one named `late` 40 s after. */
const formedAt = (m: Match) => T0 + (m.id === 'late' ? 40_000 : 10_000);

describe('worstMemberLatency', () => {
  it('reads each member\'s latency to the region the match was placed in', () => {
    const facts = new Map([
      ['a', fact({ eu: 20, na: 100 })],
      ['b', fact({ eu: 45, na: 90 })],
    ]);
    expect(worstMemberLatency(match('m', 'eu', [['a'], ['b']]), facts)).toBe(45);
    expect(worstMemberLatency(match('m', 'na', [['a'], ['b']]), facts)).toBe(100);
    expect(worstMemberLatency(match('m', 'eu', [['a'], ['nobody']]), facts)).toBeUndefined();
  });
});

describe('boundAfter', () => {
  it('widens linearly from maxMs to widenToMs over widenAfterMs', () => {
    expect(boundAfter(latency, -5)).toBe(60);
    expect(boundAfter(latency, 15_000)).toBe(105);
    expect(boundAfter(latency, 30_000)).toBe(150);
    expect(boundAfter(latency, 90_000)).toBe(150);
  });
});

describe('ruleChecks', () => {
  const checks = (m: Match, facts: Record<string, PlayerFacts>, mode = squad) => ruleChecks([m], mode, { facts: new Map(Object.entries(facts)), formedAt });

  it('passes a match that keeps every rule', () => {
    const facts = { a: fact({ eu: 20 }), b: fact({ eu: 30 }), c: fact({ eu: 25 }), d: fact({ eu: 40 }) };
    expect(checks(match('m', 'eu', [['a', 'b'], ['c', 'd']]), facts)).toEqual({ equalDiffers: 0, crossplayMixed: 0, aboveWidenTo: 0, aboveOwnBound: 0, shrunkEarly: 0, partyHeadStart: 0 });
  });

  it('finds a build mismatch, only where the mode asks for equal builds', () => {
    const facts = { a: fact({ eu: 20 }), b: fact({ eu: 20 }, { attributes: { build: '1.4.2', crossplay: ['pc', 'any'] } }) };
    expect(checks(match('m', 'eu', [['a'], ['b']]), facts).equalDiffers).toBe(1);
    expect(checks(match('m', 'eu', [['a'], ['b']], 'duel'), facts, duel).equalDiffers).toBe(0);
  });

  it('finds an opted-out player meeting another platform, not one among its own', () => {
    const optOut = fact({ eu: 20 }, { crossplayOptOut: true, attributes: { build: '1.5.0', crossplay: ['pc'] } });
    const xbox = fact({ eu: 20 }, { platform: 'xbox', attributes: { build: '1.5.0', crossplay: ['xbox', 'any'] } });
    expect(checks(match('m', 'eu', [['a'], ['b']]), { a: optOut, b: xbox }).crossplayMixed).toBe(1);
    expect(checks(match('m', 'eu', [['a'], ['b']]), { a: optOut, b: fact({ eu: 20 }) }).crossplayMixed).toBe(0);
    // Two platforms, everyone opted in: allowed.
    expect(checks(match('m', 'eu', [['a'], ['b']]), { a: fact({ eu: 20 }), b: xbox }).crossplayMixed).toBe(0);
  });

  it('finds a worst latency above widenToMs, and a member above its own bound at forming', () => {
    // Formed 10 s in: the bound is 90 ms.
    const within = { a: fact({ na: 85 }), b: fact({ na: 40 }) };
    expect(checks(match('m', 'na', [['a'], ['b']]), within)).toMatchObject({ aboveWidenTo: 0, aboveOwnBound: 0 });
    const above = { a: fact({ na: 95 }), b: fact({ na: 40 }) };
    expect(checks(match('m', 'na', [['a'], ['b']]), above)).toMatchObject({ aboveWidenTo: 0, aboveOwnBound: 1 });
    // b queued 10 s before a: its bound is 120 ms.
    const waitedLonger = { a: fact({ na: 40 }), b: fact({ na: 110 }, { queuedAt: T0 - 10_000 }) };
    expect(checks(match('m', 'na', [['a'], ['b']]), waitedLonger)).toMatchObject({ aboveOwnBound: 0 });
    const far = { a: fact({ na: 151 }), b: fact({ na: 40 }) };
    expect(checks(match('late', 'na', [['a'], ['b']]), far)).toMatchObject({ aboveWidenTo: 1, aboveOwnBound: 1 });
    expect(checks(match('late', 'na', [['a'], ['b']]), { a: fact({ na: 150 }), b: fact({ na: 40 }) })).toMatchObject({ aboveWidenTo: 0, aboveOwnBound: 0 });
  });

  it('counts a party\'s wait from its last join, and notes the matches only that head start keeps within the rules', () => {
    // Queued at T0, but the party's last member joined 5 s before: its signed wait may be 15 s at forming (bound 105).
    const party = (ms: number) => fact({ na: ms }, { waitFrom: T0 - 5_000, party: 7 });
    const { shrinkAfterMs: _, ...fixedSize } = squad;
    const pair = (a: PlayerFacts) => checks(match('m', 'na', [['a'], ['b']]), { a, b: fact({ na: 40 }) }, fixedSize);
    expect(pair(party(95))).toMatchObject({ aboveOwnBound: 0, partyHeadStart: 1 });
    expect(pair(party(106))).toMatchObject({ aboveOwnBound: 1, partyHeadStart: 0 });
    expect(pair(party(85))).toMatchObject({ aboveOwnBound: 0, partyHeadStart: 0 });
    // 1v1 at 10 s from queue(), but 25 s from the last join: may shrink by the signed wait.
    const early = { a: fact({ eu: 20 }, { waitFrom: T0 - 15_000, party: 8 }), b: fact({ eu: 20 }) };
    expect(checks(match('m', 'eu', [['a'], ['b']]), early)).toMatchObject({ shrunkEarly: 0, partyHeadStart: 1 });
  });

  it('finds teams shrunk before the longest-waiting member waited shrinkAfterMs', () => {
    const facts = { a: fact({ eu: 20 }), b: fact({ eu: 20 }) };
    expect(checks(match('m', 'eu', [['a'], ['b']]), facts).shrunkEarly).toBe(1);
    expect(checks(match('late', 'eu', [['a'], ['b']]), facts).shrunkEarly).toBe(0);
    expect(checks(match('m', 'eu', [['a'], ['b']]), { ...facts, b: fact({ eu: 20 }, { queuedAt: T0 - 15_000 }) }).shrunkEarly).toBe(0);
    // Without the config's shrinkAfterMs, nothing to check.
    const { shrinkAfterMs: _, ...unknown } = squad;
    expect(checks(match('m', 'eu', [['a'], ['b']]), facts, unknown).shrunkEarly).toBe(0);
  });
});

describe('modeFigures', () => {
  const facts = new Map<string, PlayerFacts>([
    ['a', fact({ eu: 20, na: 100 })],
    ['b', fact({ eu: 30, na: 95 })],
    ['c', fact({ eu: 110, na: 25 })],
    ['d', fact({ eu: 100, na: 35 })],
    ['e', fact({ eu: 15, na: 90 })],
    ['f', fact({ eu: 25, na: 90 })],
    ['g', fact({ eu: 40, na: 120 })],
    ['h', fact({ eu: 35, na: 110 }, { mode: 'duel' })],
    ['i', fact({ eu: 12, na: 105 }, { mode: 'duel' })],
    ['j', fact({ eu: 12, na: 105 }, { mode: 'duel' })],
  ]);
  const full = match('m1', 'na', [['a', 'c'], ['b', 'd']]);
  const small = match('late', 'eu', [['e'], ['f']]);
  const duelMatch = match('m3', 'eu', [['h'], ['i']], 'duel');
  const outcomes: PlayerOutcome[] = [
    ...['a', 'b', 'c', 'd'].map((sub, i) => ({ username: sub, sub, match: full, timeToMatchMs: 1_000 * (i + 1) })),
    { username: 'e', sub: 'e', match: small, timeToMatchMs: 40_000 },
    { username: 'f', sub: 'f', match: small, timeToMatchMs: 40_000 },
    { username: 'g', sub: 'g', timedOut: true },
    { username: 'h', sub: 'h', match: duelMatch, timeToMatchMs: 500 },
    { username: 'i', sub: 'i', match: duelMatch, timeToMatchMs: 700 },
    { username: 'j', sub: 'j', error: 'revoked' },
  ];
  const fifo = {
    lobbies: [
      { mode: 'squad', region: 'eu', spread: 800, worstLatencyMs: 110, timesToMatch: [1_000, 1_000, 2_000, 2_000] },
      { mode: 'duel', region: 'eu', spread: 300, worstLatencyMs: 35, timesToMatch: [1_000, 1_000] },
      { mode: 'duel', region: 'na', spread: 500, worstLatencyMs: 30, timesToMatch: [3_000, 1_000] },
    ],
    unmatchedByMode: { squad: 3 },
  };
  const [s, d] = modeFigures({ modes: [squad, duel], outcomes, facts, formedAt, fifo });

  it('sums up each mode\'s settled matches: sizes, regions, worst-member latency in the placed region, spread, time', () => {
    expect(s).toMatchObject({
      mode: 'squad',
      queued: 7,
      matched: 6,
      matches: 2,
      teamSizes: { '2v2': 1, '1v1': 1 },
      regions: { eu: 1, na: 1 },
      latencyRule: latency,
      worstLatencyMs: { p50: 25, max: 100 },
      ratingSpread: { p50: 0, max: 100 },
      timeToMatchMs: { p50: 3_000, max: 40_000 },
    });
    // a's 100 ms to na at 10 s (bound 90): above its own bound; the 1v1 at 40 s waited long enough to shrink.
    expect(s!.checks).toEqual({ equalDiffers: 0, crossplayMixed: 0, aboveWidenTo: 0, aboveOwnBound: 1, shrunkEarly: 0, partyHeadStart: 0 });
    expect(s!.breaches).toHaveLength(1);
    expect(s!.breaches[0]).toMatchObject({ check: 'aboveOwnBound', match: 'm1', region: 'na', formedAfterMs: 10_000 });
    expect(s!.breaches[0]!.members.find((m) => m.sub === 'a')).toMatchObject({ latencyMs: 100, waitedMs: 10_000, signedWaitAtMostMs: 10_000, boundMs: 90, platform: 'pc' });
    expect(d!.breaches).toEqual([]);
    expect(d).toMatchObject({ mode: 'duel', queued: 3, matched: 2, matches: 1, teamSizes: { '1v1': 1 }, latencyRule: null, worstLatencyMs: { p50: 35 } });
    expect(violations([s!, d!])).toBe(1);
    expect(violations([{ ...s!, checks: { ...s!.checks, aboveOwnBound: 0, partyHeadStart: 4 } }])).toBe(0);
  });

  it('puts the FIFO baseline of the same mode beside it', () => {
    expect(s!.fifo).toEqual({
      matches: 1,
      matched: 4,
      unmatched: 3,
      regions: { eu: 1 },
      worstLatencyMs: { p50: 110, p95: 110, p99: 110, max: 110 },
      ratingSpread: { p50: 800, p95: 800, p99: 800, max: 800 },
      timeToMatchMs: { p50: 1_000, p95: 2_000, p99: 2_000, max: 2_000 },
    });
    expect(d!.fifo).toMatchObject({ matches: 2, matched: 4, unmatched: 0, regions: { eu: 1, na: 1 }, worstLatencyMs: { p50: 30, max: 35 }, ratingSpread: { p50: 300, max: 500 } });
  });

  it('leaves out the worst-member latency when a member\'s latencies are unknown', () => {
    const [unknown] = modeFigures({ modes: [duel], outcomes: outcomes.filter((o) => o.sub === 'h'), facts: new Map([['h', { mode: 'duel' }]]), formedAt, fifo: { lobbies: [], unmatchedByMode: {} } });
    expect(unknown!.worstLatencyMs).toBeUndefined();
    expect(unknown!.fifo.worstLatencyMs).toBeUndefined();
  });
});
