import { describe, expect, it } from 'vitest';
import { WaitEstimates } from './wait-estimate.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');

describe('WaitEstimates', () => {
  it('answers the median recent wait per pool, null before any match', () => {
    const w = new WaitEstimates();
    expect(w.estimate('duel/eu', T0)).toBeNull();
    w.record('duel/eu', T0, [1_000, 9_000, 3_000]);
    w.record('squad/eu', T0, [60_000]);
    expect(w.estimate('duel/eu', T0 + 2_000)).toBe(3_000);
    expect(w.estimate('squad/eu', T0 + 2_000)).toBe(60_000);
  });

  it('forgets waits older than five minutes and keeps only the latest 256', () => {
    const w = new WaitEstimates();
    w.record('duel/eu', T0, [100_000]);
    w.record('duel/eu', T0 + 4 * 60_000, [2_000]);
    expect(w.estimate('duel/eu', T0 + 5 * 60_000 + 1)).toBe(2_000);
    w.record('duel/eu', T0 + 5 * 60_000, Array.from({ length: 300 }, () => 7_000));
    expect(w.estimate('duel/eu', T0 + 5 * 60_000 + 2_000)).toBe(7_000);
  });

  it('answers the 50th and 95th percentiles of the same recent waits', () => {
    const w = new WaitEstimates();
    expect(w.quantiles('duel/eu', T0)).toEqual({ p50: null, p95: null });
    w.record('duel/eu', T0, Array.from({ length: 100 }, (_, i) => (i + 1) * 100));
    expect(w.quantiles('duel/eu', T0 + 1)).toEqual({ p50: 5_000, p95: 9_500 });
    expect(w.quantiles('duel/eu', T0 + 5 * 60_000 + 1)).toEqual({ p50: null, p95: null });
  });
});
