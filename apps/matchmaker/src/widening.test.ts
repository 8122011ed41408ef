import { describe, expect, it } from 'vitest';
import { isWithinWindows, ratingWindow } from './widening.ts';

const rules = { initial: 50, widenPerSecond: 10, max: 600 };

describe('ratingWindow', () => {
  it('starts at the initial half-width', () => {
    expect(ratingWindow(rules, 0)).toBe(50);
  });

  it('widens linearly with the time waited', () => {
    expect(ratingWindow(rules, 1_000)).toBe(60);
    expect(ratingWindow(rules, 30_000)).toBe(350);
  });

  it('starts wider by perUncertainty per point of the rating uncertainty, still capped at max', () => {
    const placing = { ...rules, perUncertainty: 0.5 };
    expect(ratingWindow(placing, 0, 500)).toBe(300);
    expect(ratingWindow(placing, 10_000, 100)).toBe(200);
    expect(ratingWindow(placing, 0, 0)).toBe(50);
    expect(ratingWindow(placing, 40_000, 500)).toBe(600);
    // Rules without the field (and tickets without uncertainty) start at initial.
    expect(ratingWindow(rules, 0, 500)).toBe(50);
  });

  it('is capped at max', () => {
    expect(ratingWindow(rules, 55_000)).toBe(600);
    expect(ratingWindow(rules, 3_600_000)).toBe(600);
  });

  it('treats a queuedAt in the future (clock skew) as no wait', () => {
    expect(ratingWindow(rules, -5_000)).toBe(50);
  });

  it('stays at initial when widening is off', () => {
    expect(ratingWindow({ ...rules, widenPerSecond: 0 }, 60_000)).toBe(50);
  });
});

describe('isWithinWindows', () => {
  it('needs each rating inside the other window', () => {
    expect(isWithinWindows(1500, 100, 1580, 100)).toBe(true);
    expect(isWithinWindows(1500, 100, 1580, 50)).toBe(false);
    expect(isWithinWindows(1500, 50, 1580, 100)).toBe(false);
  });
});
