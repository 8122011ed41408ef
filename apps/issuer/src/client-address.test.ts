import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientAddressResolver, normalizeAddress } from './client-address.ts';

/** What the resolver answers for a request with these headers (in-process: no socket, so 'unknown'). */
async function resolve(trustedProxyHops: number, headers: Headers | Record<string, string>, header = 'x-forwarded-for'): Promise<string> {
  const app = new Hono();
  const clientAddress = clientAddressResolver({ trustedProxyHops, header });
  app.get('/', (c) => c.text(clientAddress(c)));
  return (await app.request('/', { headers })).text();
}

describe('clientAddressResolver', () => {
  it('with 0 hops reads no header', async () => {
    expect(await resolve(0, { 'x-forwarded-for': '203.0.113.9' })).toBe('unknown');
  });

  it('with N hops takes the Nth entry from the right, in the configured header', async () => {
    expect(await resolve(1, { 'x-forwarded-for': '1.2.3.4, 5.6.7.8, 198.51.100.7' })).toBe('198.51.100.7');
    expect(await resolve(2, { 'x-forwarded-for': '1.2.3.4, 198.51.100.7, 192.0.2.10' })).toBe('198.51.100.7');
    expect(await resolve(1, { 'x-client-chain': '1.2.3.4, 198.51.100.7', 'x-forwarded-for': '5.6.7.8' }, 'x-client-chain')).toBe('198.51.100.7');
  });

  it('reads repeated header lines as one list, in order', async () => {
    // HAProxy's option forwardfor adds a line of its own after the one the client sent.
    const headers = new Headers([['x-forwarded-for', '1.2.3.4'], ['x-forwarded-for', '198.51.100.7']]);
    expect(await resolve(1, headers)).toBe('198.51.100.7');
    expect(await resolve(2, headers)).toBe('1.2.3.4');
  });

  it('falls back to the socket peer with fewer entries than hops, or no IP address in the entry', async () => {
    expect(await resolve(2, { 'x-forwarded-for': '1.2.3.4' })).toBe('unknown');
    expect(await resolve(1, {})).toBe('unknown');
    for (const entry of ['unknown', 'evil.example', '999.1.1.1', '198.51.100.7:52100', '']) {
      expect(await resolve(1, { 'x-forwarded-for': `9.9.9.9, ${entry}` })).toBe('unknown');
    }
  });

  it('spells one address one way', async () => {
    expect(await resolve(1, { 'x-forwarded-for': '::FFFF:198.51.100.7' })).toBe('198.51.100.7');
    expect(normalizeAddress('2001:DB8::1')).toBe('2001:db8::1');
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('127.0.0.1')).toBe('127.0.0.1');
  });
});
