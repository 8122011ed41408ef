import { describe, expect, it } from 'vitest';
import { median, medianRatio, spread } from './stats.ts';

describe('median', () => {
  it('takes the middle value, the lower one for an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(() => median([])).toThrow(TypeError);
  });
});

describe('spread', () => {
  it('is half the range over the median', () => {
    expect(spread([90, 100, 110])).toBeCloseTo(0.1);
    expect(spread([0, 0])).toBe(0);
  });
});

describe('medianRatio', () => {
  it('pairs rounds before taking the median', () => {
    expect(medianRatio([10, 20, 30], [10, 10, 10])).toBe(2);
    expect(medianRatio([50, 8, 9], [100, 10, 10])).toBe(0.8);
    expect(() => medianRatio([1], [1, 2])).toThrow(TypeError);
  });
});
