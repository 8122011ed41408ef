import { describe, expect, it } from 'vitest';
import { MatchEvents } from './match-events.ts';
import { Results, type MatchResult } from './results.ts';
import { Revocations } from './revocations.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const result = (id: string, queuedAt: number, expiresAt: number): MatchResult => ({
  match: { id, pool: { mode: 'duel', region: 'eu' }, teams: [], token: `token-${id}` },
  queuedAt,
  expiresAt,
});

describe('Results', () => {
  it('answers the search it matched (and older tickets of it), not a later search', () => {
    const results = new Results(30_000);
    results.set('a', result('m1', T0, T0 + 30_000));
    expect(results.find('a', T0, T0 + 1)?.match.id).toBe('m1');
    expect(results.find('a', T0 - 5, T0 + 1)?.match.id).toBe('m1');
    expect(results.find('a', T0 + 1, T0 + 1)).toBeUndefined();
    expect(results.find('b', T0, T0 + 1)).toBeUndefined();
  });

  it('forgets results at their expiry, in order, keeping a newer one for the same player', () => {
    const results = new Results(30_000);
    results.set('a', result('m1', T0, T0 + 30_000));
    results.set('b', result('m2', T0, T0 + 31_000));
    results.set('a', result('m3', T0 + 500, T0 + 40_000));
    expect(results.expire(T0 + 30_999)).toBe(0);
    expect(results.find('a', T0, T0 + 30_999)?.match.id).toBe('m3');
    expect(results.expire(T0 + 31_000)).toBe(1);
    expect(results.size).toBe(1);
    expect(results.expire(T0 + 40_000)).toBe(1);
    expect(results.size).toBe(0);
  });
});

describe('Revocations', () => {
  it('refuses tickets issued before notBefore and keeps the latest notBefore', () => {
    const revocations = new Revocations();
    revocations.add('a', T0);
    revocations.add('a', T0 - 10_000);
    expect(revocations.isRevoked('a', T0 - 1)).toBe(true);
    expect(revocations.isRevoked('a', T0)).toBe(false);
    expect(revocations.isRevoked('b', T0 - 1)).toBe(false);
    revocations.prune(T0 + 60_001, 60_000);
    expect(revocations.size).toBe(0);
  });
});

describe('MatchEvents', () => {
  it('delivers a match once to every listener of the player, then forgets them', () => {
    const events = new MatchEvents(10);
    const heard: string[] = [];
    events.subscribe('a', (r) => heard.push(`1:${r.match.id}`));
    events.subscribe('a', (r) => heard.push(`2:${r.match.id}`));
    const unsubscribe = events.subscribe('b', () => heard.push('b'))!;
    unsubscribe();
    events.publish('a', result('m1', T0, T0 + 1));
    events.publish('a', result('m2', T0, T0 + 1));
    events.publish('b', result('m3', T0, T0 + 1));
    expect(heard).toEqual(['1:m1', '2:m1']);
    expect(events.size).toBe(0);
  });

  it('refuses listeners over its limit', () => {
    const events = new MatchEvents(1);
    expect(events.subscribe('a', () => {})).toBeDefined();
    expect(events.subscribe('b', () => {})).toBeUndefined();
  });
});
