import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.ts';

describe('clientAddress', () => {
  it('is the socket peer without trusted hops, whatever the header says', () => {
    expect(clientAddress('127.0.0.1', '1.2.3.4', 0)).toBe('127.0.0.1');
  });

  it('takes the entry the outermost trusted proxy appended, never a forged leftmost one', () => {
    expect(clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.7, 10.0.0.9', 2)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', '203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', ' 2001:db8::1 ', 1)).toBe('2001:db8::1');
  });

  it('falls back to the socket peer when the proxies did not write what they should', () => {
    expect(clientAddress('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '203.0.113.7', 2)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '6.6.6.6, not-an-address', 1)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '', 1)).toBe('10.0.0.2');
  });
});
