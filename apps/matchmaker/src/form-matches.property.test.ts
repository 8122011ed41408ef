// Any pool of solo players and parties, any clock: no player in two matches, every party whole
// in one team, every team full, every player inside every match-mate's window (a party by its
// mean), and the same matches for the same snapshot in any order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formMatches, type MatchRules, type Waiting } from './form-matches.ts';
import { ratingWindow } from './widening.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const squad = { teams: 2, teamSize: 4, ratingWindow: { initial: 50, widenPerSecond: 10, max: 600 } } satisfies MatchRules;

/** Groups of 1-4 players with distinct subs, ratings 800-2200, waits up to 90 s. */
const pool: fc.Arbitrary<Waiting[]> = fc
  .array(fc.record({ size: fc.oneof({ weight: 7, arbitrary: fc.constant(1) }, { weight: 3, arbitrary: fc.integer({ min: 2, max: 4 }) }), rating: fc.integer({ min: 800, max: 2_200 }), spread: fc.integer({ min: 0, max: 150 }), waitMs: fc.integer({ min: 0, max: 90_000 }) }), { maxLength: 60 })
  .map((groups) =>
    groups.map(({ size, rating, spread, waitMs }, g) => {
      const party = Array.from({ length: size - 1 }, (_, m) => ({ sub: `g${g}m${m + 1}`, rating: rating + ((m % 2 === 0 ? 1 : -1) * spread) }));
      return party.length === 0 ? { sub: `g${g}`, rating, queuedAt: T0 - waitMs } : { sub: `g${g}`, rating, queuedAt: T0 - waitMs, party };
    }),
  );

const groupOf = (w: Waiting) => [w.sub, ...(w.party ?? []).map((m) => m.sub)];
const meanOf = (w: Waiting) => (w.rating + (w.party ?? []).reduce((s, m) => s + m.rating, 0)) / groupOf(w).length;

describe('formMatches with parties (property)', () => {
  it('never puts a player in two matches, never splits a party, fills every team, keeps everyone in each other’s window', () => {
    fc.assert(
      fc.property(pool, (snapshot) => {
        const matches = formMatches(snapshot, squad, T0);
        const seen = new Set<string>();
        for (const match of matches) {
          expect(match.teams).toHaveLength(squad.teams);
          for (const team of match.teams) expect(team).toHaveLength(squad.teamSize);
          const teamOf = new Map(match.teams.flatMap((team, t) => team.map((p) => [p.sub, t] as const)));
          for (const entry of match.entries) {
            const members = groupOf(entry);
            // Whole, in one team.
            expect(new Set(members.map((sub) => teamOf.get(sub))).size).toBe(1);
            expect(members.every((sub) => teamOf.has(sub))).toBe(true);
            for (const sub of members) {
              expect(seen.has(sub)).toBe(false);
              seen.add(sub);
            }
            for (const other of match.entries) {
              expect(Math.abs(meanOf(other) - meanOf(entry))).toBeLessThanOrEqual(ratingWindow(squad.ratingWindow, T0 - entry.queuedAt) + 1e-9);
            }
          }
          expect(match.entries.reduce((n, e) => n + groupOf(e).length, 0)).toBe(squad.teams * squad.teamSize);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: a shuffled snapshot forms the same matches', () => {
    fc.assert(
      fc.property(pool.chain((p) => fc.tuple(fc.constant(p), fc.shuffledSubarray(p, { minLength: p.length }))), ([snapshot, shuffled]) => {
        const ids = (s: Waiting[]) => formMatches(s, squad, T0).map((m) => m.teams.map((t) => t.map((p) => p.sub).join(',')).join('|'));
        expect(ids(shuffled)).toEqual(ids(snapshot));
      }),
      { numRuns: 200 },
    );
  });
});
