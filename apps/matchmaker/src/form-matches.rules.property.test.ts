// Any pool under every rule at once (parties, a team size range, a latency rule, an equal and an
// intersect attribute), any clock: no player twice, parties whole, every match within every rule
// at its formation time, and the same matches for the same snapshot in any order.
import { teamSizeOf } from '@ticketbooth/config';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formMatches, type MatchRules, type Waiting } from './form-matches.ts';
import { latencyBound } from './latency.ts';
import { ratingWindow } from './widening.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const REGIONS = ['eu', 'na', 'sa'] as const;
const rules: MatchRules = {
  teams: 2,
  teamSize: { min: 2, max: 4, shrinkAfterMs: 30_000 },
  ratingWindow: { initial: 100, widenPerSecond: 10, max: 600 },
  latency: { maxMs: 60, widenToMs: 150, widenAfterMs: 40_000 },
  attributes: { equal: ['build'], intersect: ['crossplay'] },
};

const group = fc.record({
  size: fc.oneof({ weight: 7, arbitrary: fc.constant(1) }, { weight: 3, arbitrary: fc.integer({ min: 2, max: 4 }) }),
  rating: fc.integer({ min: 900, max: 2_100 }),
  waitMs: fc.integer({ min: 0, max: 90_000 }),
  latencies: fc.array(fc.option(fc.integer({ min: 5, max: 220 }), { nil: undefined, freq: 8 }), { minLength: 3, maxLength: 3 }),
  build: fc.oneof({ weight: 5, arbitrary: fc.constant('1.5') }, { weight: 1, arbitrary: fc.constant('1.4') }),
  platform: fc.constantFrom('pc', 'ps5'),
  crossplay: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});

const pool: fc.Arbitrary<Waiting[]> = fc.array(group, { minLength: 8, maxLength: 50 }).map((groups) =>
  groups.map(({ size, rating, waitMs, latencies, build, platform, crossplay }, g) => {
    const measured = Object.fromEntries(REGIONS.flatMap((r, i) => (latencies[i] === undefined ? [] : [[r, latencies[i]]])));
    return {
      sub: `g${g}`,
      rating,
      queuedAt: T0 - waitMs,
      ...(size > 1 ? { party: Array.from({ length: size - 1 }, (_, m) => ({ sub: `g${g}m${m + 1}`, rating: rating + (m % 2 ? 40 : -40) })) } : {}),
      latencies: measured,
      attributes: { build, crossplay: crossplay ? [platform, 'any'] : [platform] },
    };
  }),
);

const playersOf = (w: Waiting) => [w.sub, ...(w.party ?? []).map((m) => m.sub)];
const meanOf = (w: Waiting) => (w.rating + (w.party ?? []).reduce((s, m) => s + m.rating, 0)) / playersOf(w).length;

describe('formMatches under parties, sizes, latencies and attributes (property)', () => {
  it('keeps every rule in every match it forms', () => {
    fc.assert(
      fc.property(pool, (snapshot) => {
        const seen = new Set<string>();
        const range = teamSizeOf(rules);
        for (const match of formMatches(snapshot, rules, T0)) {
          // Size: equal teams within the range; below max only once a member waited shrinkAfterMs.
          const size = match.teams[0]!.length;
          expect(match.teams.every((team) => team.length === size)).toBe(true);
          expect(size).toBeGreaterThanOrEqual(range.min);
          expect(size).toBeLessThanOrEqual(range.max);
          if (size < range.max) expect(Math.max(...match.entries.map((e) => T0 - e.queuedAt))).toBeGreaterThanOrEqual(range.shrinkAfterMs);
          const teamOf = new Map(match.teams.flatMap((team, t) => team.map((p) => [p.sub, t] as const)));
          for (const entry of match.entries) {
            const members = playersOf(entry);
            expect(members.every((sub) => teamOf.has(sub))).toBe(true);
            expect(new Set(members.map((sub) => teamOf.get(sub))).size).toBe(1);
            for (const sub of members) {
              expect(seen.has(sub)).toBe(false);
              seen.add(sub);
            }
            // Latency: the match's region is within every member's bound now.
            const latency = entry.latencies?.[match.region!];
            expect(latency).toBeDefined();
            expect(latency!).toBeLessThanOrEqual(latencyBound(rules.latency!, T0 - entry.queuedAt));
            expect(latency!).toBeLessThanOrEqual(match.worstLatencyMs!);
            // Rating: each inside every other's window.
            for (const other of match.entries) {
              expect(Math.abs(meanOf(other) - meanOf(entry))).toBeLessThanOrEqual(ratingWindow(rules.ratingWindow, T0 - entry.queuedAt) + 1e-9);
              expect(other.attributes!.build).toBe(entry.attributes!.build);
            }
          }
          // Intersect: one crossplay value common to all.
          const sets = match.entries.map((e) => new Set(e.attributes!.crossplay as string[]));
          expect([...sets[0]!].some((v) => sets.every((s) => s.has(v)))).toBe(true);
          // Placement: no region every member may play in has a lower worst latency.
          for (const region of REGIONS) {
            const worst = Math.max(...match.entries.map((e) => e.latencies?.[region] ?? Infinity));
            const allowed = match.entries.every((e) => (e.latencies?.[region] ?? Infinity) <= latencyBound(rules.latency!, T0 - e.queuedAt));
            if (allowed) expect(worst).toBeGreaterThanOrEqual(match.worstLatencyMs!);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: a shuffled snapshot forms the same matches', () => {
    fc.assert(
      fc.property(pool.chain((p) => fc.tuple(fc.constant(p), fc.shuffledSubarray(p, { minLength: p.length }))), ([snapshot, shuffled]) => {
        const ids = (s: Waiting[]) => formMatches(s, rules, T0).map((m) => `${m.region}:${m.teams.map((t) => t.map((p) => p.sub).join(',')).join('|')}`);
        expect(ids(shuffled)).toEqual(ids(snapshot));
      }),
      { numRuns: 200 },
    );
  });

  it('forms matches at all, of every size and in every region: the rules do not simply refuse everything', () => {
    const formed = fc.sample(pool, { numRuns: 200, seed: 7 }).flatMap((snapshot) => formMatches(snapshot, rules, T0));
    expect(formed.length).toBeGreaterThan(100);
    expect(new Set(formed.map((m) => m.teams[0]!.length))).toEqual(new Set([2, 3, 4]));
    expect(new Set(formed.map((m) => m.region))).toEqual(new Set(REGIONS));
    expect(formed.some((m) => m.entries.some((e) => e.party !== undefined))).toBe(true);
  });
});
