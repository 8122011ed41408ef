import { describe, expect, it } from 'vitest';
import { ExpiringLru } from './cache.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

describe('ExpiringLru', () => {
  it('serves an entry until its expiry, then forgets it', () => {
    const cache = new ExpiringLru<string>(10);
    cache.set('a', 'A', T0 + 1_000);
    expect(cache.get('a', T0 + 999)).toBe('A');
    expect(cache.get('a', T0 + 1_000)).toBeUndefined();
    expect(cache.stats().size).toBe(0);
  });

  it('does not keep expired entries until they are pushed out at capacity', () => {
    // Tokens of one lifetime, one new every second, each read once: as a verifier in front
    // of tickets that are seen once (refreshed, matched, left) fills its cache.
    const cache = new ExpiringLru<number>(10_000);
    for (let i = 0; i < 5_000; i++) {
      const now = T0 + i * 1_000;
      cache.get(`token-${i}`, now);
      cache.set(`token-${i}`, i, now + 60_000);
    }
    // Only the tokens of the last minute are alive; the rest must not sit in memory.
    expect(cache.stats().size).toBeLessThanOrEqual(61);
    expect(cache.stats().evictions).toBe(0);
    expect(cache.get('token-4999', T0 + 4_999_000)).toBe(4_999);
  });

  it('keeps a key set again when the slot of its older entry expires', () => {
    const cache = new ExpiringLru<string>(10);
    cache.set('a', 'old', T0 + 1_000);
    cache.set('a', 'new', T0 + 60_000);
    expect(cache.get('b', T0 + 30_000)).toBeUndefined();
    expect(cache.get('a', T0 + 30_000)).toBe('new');
    expect(cache.stats().size).toBe(1);
  });

  it('stays correct through many evictions of long-lived entries', () => {
    const cache = new ExpiringLru<number>(100);
    for (let i = 0; i < 10_000; i++) cache.set(`token-${i}`, i, T0 + 3_600_000);
    expect(cache.stats()).toEqual({ evictions: 9_900, size: 100, capacity: 100 });
    expect(cache.get('token-9900', T0)).toBe(9_900);
    expect(cache.get('token-9899', T0)).toBeUndefined();
  });

  it('still evicts the least recently used entry at capacity', () => {
    const cache = new ExpiringLru<string>(2);
    cache.set('a', 'A', T0 + 60_000);
    cache.set('b', 'B', T0 + 60_000);
    expect(cache.get('a', T0)).toBe('A');
    cache.set('c', 'C', T0 + 60_000);
    expect(cache.get('b', T0)).toBeUndefined();
    expect(cache.get('a', T0)).toBe('A');
    expect(cache.stats()).toEqual({ evictions: 1, size: 2, capacity: 2 });
  });
});
