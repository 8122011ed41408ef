import { describe, expect, it } from 'vitest';
import { Warmup } from './warmup.ts';

describe('Warmup', () => {
  it('ends at its minimum when nobody comes back', () => {
    const w = new Warmup({ minMs: 2_200, intervalMs: 1_000 });
    w.start(0);
    expect(w.isWarmingUp(2_199)).toBe(true);
    expect(w.isWarmingUp(2_200)).toBe(false);
  });

  it('lasts while a restart burst is still arriving, and ends once the last interval brought few', () => {
    const w = new Warmup({ minMs: 2_200, intervalMs: 1_000 });
    w.start(0);
    // A loaded machine: 1,000 players come back over 3.5 s instead of one interval.
    for (let t = 0; t < 3_500; t += 3.5) w.arrived(t);
    expect(w.isWarmingUp(2_200)).toBe(true);
    expect(w.isWarmingUp(3_400)).toBe(true);
    // Then only newcomers: 5 in the next second, under 1 % of everyone seen.
    for (let t = 3_500; t < 4_500; t += 200) w.arrived(t);
    expect(w.isWarmingUp(4_500)).toBe(false);
    // Over is over: a later burst does not bring it back.
    w.arrived(4_600, 500);
    expect(w.isWarmingUp(4_700)).toBe(false);
  });

  it('tells how the rebuild stands: players back, the last interval, the bar it must fall under', () => {
    const w = new Warmup({ minMs: 2_000, intervalMs: 1_000 });
    w.start(0);
    for (let t = 0; t < 1_500; t += 5) w.arrived(t);
    // A new search (begun after the start) is no one coming back.
    w.arrived(1_500, 1, 1_000);
    expect(w.status(1_500)).toEqual({ warmingUp: true, elapsedMs: 1_500, minMs: 2_000, maxMs: 10_000, back: 300, lastInterval: 199, endsBelow: 3 });
    const over = w.status(2_600);
    expect(over).toMatchObject({ warmingUp: false, back: 300, lastInterval: 0 });
  });

  it('lasts one interval past the last match rebuilt from a re-announcement', () => {
    const w = new Warmup({ minMs: 2_200, intervalMs: 1_000 });
    w.start(0);
    w.arrived(100, 500);
    w.rebuilt(2_000, 0);
    expect(w.isWarmingUp(2_500)).toBe(true);
    expect(w.isWarmingUp(3_000)).toBe(false);
  });

  it('ends at its maximum whatever keeps arriving', () => {
    const w = new Warmup({ minMs: 1_000, intervalMs: 500, maxMs: 3_000 });
    w.start(0);
    for (let t = 0; t < 5_000; t += 10) {
      w.arrived(t, 10);
      if (t < 3_000) expect(w.isWarmingUp(t)).toBe(true);
    }
    expect(w.isWarmingUp(3_000)).toBe(false);
  });

  it('is not kept going by new searches, only by players whose search began before the start', () => {
    const w = new Warmup({ minMs: 2_200, intervalMs: 1_000 });
    w.start(10_000);
    w.arrived(10_100, 200, 5_000);
    // A steady 10 new players a second, searching since after the start: not the restart's burst.
    for (let t = 10_000; t < 13_000; t += 100) w.arrived(t, 1, t);
    expect(w.isWarmingUp(12_200)).toBe(false);
  });

  it('starts over on start()', () => {
    const w = new Warmup({ minMs: 100, intervalMs: 100 });
    w.start(0);
    expect(w.isWarmingUp(100)).toBe(false);
    w.start(1_000);
    expect(w.isWarmingUp(1_050)).toBe(true);
    expect(w.isWarmingUp(1_100)).toBe(false);
  });

  it('starts again at the first request after idleMs without one: a standby taking a shard over', () => {
    const w = new Warmup({ minMs: 2_200, intervalMs: 1_000 });
    w.start(0);
    w.heard(1_500);
    expect(w.isWarmingUp(2_200)).toBe(false);
    // Requests keep coming at most two intervals apart: no restart.
    w.heard(3_500);
    w.heard(5_500);
    expect(w.isWarmingUp(5_500)).toBe(false);
    // Silent for longer than two intervals (a standby): the next request starts it again.
    w.heard(7_501);
    expect(w.isWarmingUp(7_501)).toBe(true);
    expect(w.isWarmingUp(7_501 + 2_199)).toBe(true);
    expect(w.isWarmingUp(7_501 + 2_200)).toBe(false);
  });

  it('is idle after idleMs without a request, and not once one comes', () => {
    const w = new Warmup({ minMs: 2_200, intervalMs: 1_000 });
    w.start(0);
    expect(w.isIdle(2_000)).toBe(false);
    expect(w.isIdle(2_001)).toBe(true);
    w.heard(2_500);
    expect(w.isIdle(2_500)).toBe(false);
  });
});

