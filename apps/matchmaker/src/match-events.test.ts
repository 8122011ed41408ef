import { describe, expect, it } from 'vitest';
import { MatchEvents } from './match-events.ts';
import type { MatchResult } from './results.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const result: MatchResult = { match: { id: 'm1', pool: { mode: 'duel', region: 'eu' }, teams: [], token: 'token-m1' }, queuedAt: T0, expiresAt: T0 + 1 };

describe('MatchEvents', () => {
  it('counts a delivered listener once, though its stream unsubscribes after hearing (as sse.ts does)', () => {
    const events = new MatchEvents(2);
    const unsubscribeA = events.subscribe('a', () => {})!;
    events.subscribe('b', () => {});
    events.publish('a', result);
    unsubscribeA();
    expect(events.size).toBe(1);
    // The limit still holds: one slot is free, not two.
    expect(events.subscribe('c', () => {})).toBeDefined();
    expect(events.subscribe('d', () => {})).toBeUndefined();
  });

  it('counts a listener that unsubscribes while being called once too', () => {
    const events = new MatchEvents(10);
    const unsubscribe: (() => void)[] = [];
    unsubscribe.push(events.subscribe('a', () => unsubscribe[0]!())!);
    events.publish('a', result);
    expect(events.size).toBe(0);
  });
});
