import { describe, expect, it } from 'vitest';
import { SlidingWindow } from './rate-limit.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');

function attempt(window: SlidingWindow, key: string, now: number) {
  const decision = window.check(key, now);
  if (decision.allowed) window.record(key, now);
  return decision;
}

describe('SlidingWindow', () => {
  it('allows `limit` attempts in a window, then says how long to wait', () => {
    const window = new SlidingWindow({ limit: 3, windowMs: 60_000 });
    expect(attempt(window, 'a', T0).allowed).toBe(true);
    expect(attempt(window, 'a', T0 + 10_000).allowed).toBe(true);
    expect(attempt(window, 'a', T0 + 20_000).allowed).toBe(true);
    expect(attempt(window, 'a', T0 + 30_000)).toEqual({ allowed: false, retryAfterMs: 30_000 });
    expect(attempt(window, 'b', T0 + 30_000).allowed).toBe(true);
  });

  it('slides: the oldest attempt leaving the window frees one slot, not all', () => {
    const window = new SlidingWindow({ limit: 2, windowMs: 1_000 });
    attempt(window, 'a', T0);
    attempt(window, 'a', T0 + 900);
    expect(attempt(window, 'a', T0 + 999).allowed).toBe(false);
    expect(attempt(window, 'a', T0 + 1_000).allowed).toBe(true);
    expect(attempt(window, 'a', T0 + 1_001)).toEqual({ allowed: false, retryAfterMs: 899 });
  });

  it('does not count refused attempts', () => {
    const window = new SlidingWindow({ limit: 1, windowMs: 1_000 });
    attempt(window, 'a', T0);
    for (let i = 1; i < 10; i++) attempt(window, 'a', T0 + i * 50);
    expect(attempt(window, 'a', T0 + 1_000).allowed).toBe(true);
  });

  it('forgets expired keys and bounds how many it tracks', () => {
    const window = new SlidingWindow({ limit: 1, windowMs: 1_000, maxKeys: 2 });
    attempt(window, 'a', T0);
    attempt(window, 'b', T0);
    attempt(window, 'c', T0);
    expect(window.size).toBe(2);
    expect(attempt(window, 'a', T0 + 1).allowed).toBe(true);
    expect(attempt(window, 'c', T0 + 1).allowed).toBe(false);
    window.check('c', T0 + 5_000);
    expect(window.size).toBe(1);
  });
});
