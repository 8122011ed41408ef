import { describe, expect, it } from 'vitest';
import { Deliveries } from './deliveries.ts';

describe('Deliveries', () => {
  it('is complete once every member was answered, and only then', () => {
    const d = new Deliveries();
    d.expect('m1', ['a', 'b', 'c'], 1_000);
    d.answered('m1', 'a');
    d.answered('m1', 'a');
    d.answered('m2', 'b');
    expect(d.isComplete('m1')).toBe(false);
    d.answered('m1', 'b');
    d.answered('m1', 'c');
    expect(d.isComplete('m1')).toBe(true);
    expect(d.size).toBe(0);
  });

  it('stops waiting for members who never come back', () => {
    const d = new Deliveries();
    d.expect('m1', ['a', 'b'], 1_000);
    d.expect('m2', ['c'], 2_000);
    d.expire(1_000);
    expect([d.isComplete('m1'), d.isComplete('m2')]).toEqual([true, false]);
  });
});
