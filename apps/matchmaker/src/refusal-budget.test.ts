import { describe, expect, it } from 'vitest';
import { RefusalBudget, addressKey } from './refusal-budget.ts';

const T0 = 1_800_000_000_000;

describe('RefusalBudget', () => {
  it('lets an address spend its burst, then waits for the refill', () => {
    const budget = new RefusalBudget({ burst: 3, perSecond: 2, perConnection: 100 });
    for (let i = 0; i < 3; i++) {
      expect(budget.waitMs('10.0.0.1', T0)).toBe(0);
      budget.spend('10.0.0.1', undefined, T0);
    }
    expect(budget.waitMs('10.0.0.1', T0)).toBe(500);
    expect(budget.waitMs('10.0.0.1', T0 + 499)).toBe(1);
    expect(budget.waitMs('10.0.0.1', T0 + 500)).toBe(0);
    // Another address is not touched by the first one's refusals.
    expect(budget.waitMs('10.0.0.2', T0)).toBe(0);
  });

  it('refills no further than the burst', () => {
    const budget = new RefusalBudget({ burst: 2, perSecond: 1, perConnection: 100 });
    budget.spend('a', undefined, T0);
    for (let i = 0; i < 2; i++) budget.spend('a', undefined, T0 + 3_600_000);
    expect(budget.waitMs('a', T0 + 3_600_000)).toBe(1_000);
  });

  it('tells when a connection has used up its share, per connection', () => {
    const budget = new RefusalBudget({ burst: 100, perSecond: 1, perConnection: 3 });
    const one = {};
    const two = {};
    expect([budget.spend('a', one, T0), budget.spend('a', one, T0), budget.spend('a', two, T0)]).toEqual([false, false, false]);
    expect(budget.spend('a', one, T0)).toBe(true);
    // Throttled tickets count against the connection, not against the address's bucket.
    const three = {};
    expect([budget.countOnConnection(three), budget.countOnConnection(three), budget.countOnConnection(three)]).toEqual([false, false, true]);
    expect(budget.countOnConnection(undefined)).toBe(false);
  });

  it('forgets addresses whose bucket is full again, and the stalest past the bound', () => {
    const budget = new RefusalBudget({ burst: 2, perSecond: 1, perConnection: 10, maxAddresses: 2 });
    budget.spend('a', undefined, T0);
    budget.spend('b', undefined, T0 + 10);
    budget.spend('c', undefined, T0 + 20);
    expect(budget.addresses).toBe(2);
    expect(budget.waitMs('a', T0 + 20)).toBe(0);
    budget.prune(T0 + 1_015);
    expect(budget.addresses).toBe(1);
    budget.prune(T0 + 1_020);
    expect(budget.addresses).toBe(0);
  });

  it('sweeps full buckets itself, at most once a second, as refusals arrive', () => {
    const budget = new RefusalBudget({ burst: 2, perSecond: 1, perConnection: 10 });
    budget.spend('a', undefined, T0);
    budget.spend('b', undefined, T0 + 500);
    expect(budget.addresses).toBe(2);
    // 'a' is full again at T0 + 1,000 and 'b' at T0 + 1,500: the sweep at T0 + 1,200 forgets 'a' only.
    budget.spend('c', undefined, T0 + 1_200);
    expect(budget.addresses).toBe(2);
    // No sweep 400 ms after the last one; the next, at T0 + 2,200, forgets 'b' and 'c' (full again).
    budget.spend('d', undefined, T0 + 1_600);
    expect(budget.addresses).toBe(3);
    budget.spend('e', undefined, T0 + 2_200);
    expect(budget.addresses).toBe(2);
  });

  it('budgets IPv6 clients by /64, IPv4 and mapped IPv4 by address', () => {
    expect(addressKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:DB8:0000:1:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::ffff:127.0.0.1')).toBe('::ffff:127.0.0.1');
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
    const budget = new RefusalBudget({ burst: 1, perSecond: 1, perConnection: 10 });
    budget.spend('2001:db8::1', undefined, T0);
    expect(budget.waitMs('2001:db8::2', T0)).toBeGreaterThan(0);
  });
});
