import { describe, expect, it } from 'vitest';
import { backoffDelay, jitter, sleep } from './backoff.ts';

describe('backoffDelay', () => {
  const policy = { baseMs: 100, capMs: 1_000 };
  it('doubles per attempt with equal jitter, and is capped', () => {
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

describe('jitter', () => {
  it('stays within ±20% by default', () => {
    expect(jitter(1000, () => 0)).toBe(800);
    expect(jitter(1000, () => 1)).toBe(1200);
    expect(jitter(1000, () => 0.5)).toBe(1000);
  });
});

describe('sleep', () => {
  it('rejects with the abort reason', async () => {
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
