import { describe, expect, it } from 'vitest';
import { buildPopulation, seededRandom } from './population.ts';
import { isLost, percentiles, summarize, type PlayerOutcome, partyFigures } from './summary.ts';

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
    const summary = summarize(outcomes, { lostAfterMs: 3_000 });
    expect(summary).toMatchObject({ players: 5, matched: 3, unmatched: 2, timedOut: 1, matches: 2, matchedTwice: 1, errors: { revoked: 1 } });
    expect(summary.ratingSpread).toMatchObject({ p50: 100, max: 300 });
    expect(summary.teamImbalance.max).toBe(300);
    expect(summary.timeToMatchMs.p50).toBe(200);
  });
});

describe('summarize, with a life after forming', () => {
  const pool = { mode: 'duel', region: 'eu' };
  const assigned = (id: string, subs: string[]) => ({
    id,
    pool,
    teams: subs.map((sub) => [{ sub, rating: 1500 }]),
    token: '',
    assignment: { token: 'a', connect: '127.0.0.1:7000' },
  });
  const m1 = assigned('m1', ['a', 'b']);
  const m3 = assigned('m3', ['c', 'd']);

  it('counts each end state once: settled (and after a requeue), declined, no-show, cancelled, still searching, lost', () => {
    const outcomes: PlayerOutcome[] = [
      { username: 'a', sub: 'a', match: m1, timeToMatchMs: 100, requeues: 0, seen: ['m1'] },
      { username: 'b', sub: 'b', match: m1, timeToMatchMs: 900, requeues: 1, seen: ['m0', 'm1'] },
      { username: 'c', sub: 'c', match: m3, timeToMatchMs: 400, requeues: 2, seen: ['m2', 'm3'] },
      { username: 'd', sub: 'd', match: { ...m3, assignment: { token: 'a' } }, timeToMatchMs: 500, seen: ['m3'] },
      { username: 'e', sub: 'e', out: 'declined', cancelReason: 'declined', seen: ['m0'] },
      { username: 'f', sub: 'f', out: 'no_show', cancelReason: 'accept_timeout', seen: ['m2'] },
      { username: 'g', sub: 'g', out: 'cancelled', cancelReason: 'declined', requeues: 1, seen: ['m4'] },
      { username: 'h', sub: 'h', pending: { phase: 'searching', unansweredForMs: 800 }, requeues: 1 },
      { username: 'i', sub: 'i', pending: { phase: 'allocating', unansweredForMs: 5_000 } },
      { username: 'j', sub: 'j', pending: { phase: 'proposed', unansweredForMs: 100, pastAcceptByMs: 4_000 } },
      { username: 'k', sub: 'k', pending: { phase: 'proposed', unansweredForMs: 100, pastAcceptByMs: 900 } },
    ];
    expect(summarize(outcomes, { lostAfterMs: 3_000 })).toMatchObject({
      players: 11,
      matched: 4,
      assigned: 3,
      declined: 1,
      noShow: 1,
      cancelledOut: { declined: 1 },
      requeued: 4,
      requeuedThenSettled: 2,
      stillSearching: 2,
      lost: { allocating: 1, proposed: 1 },
      matches: 2,
      matchesSeen: 5,
      matchedTwice: 0,
      timeToMatchMs: { p50: 400, max: 900 },
    });
  });

  it('finds a player in two settled matches, not in a proposed one it was requeued from', () => {
    const again = assigned('m5', ['b', 'c']);
    const outcomes: PlayerOutcome[] = [
      { username: 'a', sub: 'a', match: m1, seen: ['m0', 'm1'] },
      { username: 'b', sub: 'b', match: again, seen: ['m0', 'm5'] },
    ];
    expect(summarize(outcomes, { lostAfterMs: 3_000 }).matchedTwice).toBe(1);
  });

  it('calls lost only what is past the limit', () => {
    expect(isLost({ phase: 'searching', unansweredForMs: 3_000 }, { lostAfterMs: 3_000 })).toBe(false);
    expect(isLost({ phase: 'searching', unansweredForMs: 3_001 }, { lostAfterMs: 3_000 })).toBe(true);
    expect(isLost({ phase: 'accepted', unansweredForMs: 0, pastAcceptByMs: 3_001 }, { lostAfterMs: 3_000 })).toBe(true);
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

describe('partyFigures', () => {
  const m = (id: string, teams: string[][]) => ({ id, pool: { mode: 'squad', region: 'eu' }, teams: teams.map((t) => t.map((sub) => ({ sub, rating: 1500 }))), token: 't' });
  it('counts a party whole in one team, split across matches or teams, and one not matched as neither', () => {
    const whole = m('m1', [['a', 'b', 'x'], ['y', 'z', 'w']]);
    const outcomes = [
      { username: 'a', sub: 'a', party: 1, match: whole },
      { username: 'b', sub: 'b', party: 1, match: whole },
      { username: 'c', sub: 'c', party: 2, match: m('m2', [['c'], ['d']]) },
      { username: 'd', sub: 'd', party: 2, match: m('m2', [['c'], ['d']]) },
      { username: 'e', sub: 'e', party: 3, match: m('m3', [['e'], ['q']]) },
      { username: 'f', sub: 'f', party: 3, match: m('m4', [['f'], ['r']]) },
      { username: 'g', sub: 'g', party: 4 },
      { username: 'h', sub: 'h', party: 4 },
    ];
    expect(partyFigures(outcomes)).toEqual({ queued: 4, matchedWhole: 1, split: 2 });
  });
});
