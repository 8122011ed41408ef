import { describe, expect, it } from 'vitest';
import { seededKey } from '../test/fixtures.ts';
import { TicketError } from './errors.ts';
import { hasValidSignature, pae, parseToken, signV4Public } from './paseto.ts';

describe('pae', () => {
  // Examples from the PASETO specification (Common.md, PAE).
  it('encodes piece counts and lengths as 64-bit little-endian', () => {
    expect(pae([]).toString('hex')).toBe('0000000000000000');
    expect(pae([Buffer.alloc(0)]).toString('hex')).toBe('01000000000000000000000000000000');
    expect(pae([Buffer.from('test')]).toString('hex')).toBe('0100000000000000040000000000000074657374');
  });
});

describe('parseToken', () => {
  const key = seededKey(9);
  const token = signV4Public(Buffer.from('{"a":1}'), key.privateKey, Buffer.from('footer'));

  it('splits message, signature and footer', () => {
    const parsed = parseToken(token);
    expect(parsed.message.toString()).toBe('{"a":1}');
    expect(parsed.signature).toHaveLength(64);
    expect(parsed.footer.toString()).toBe('footer');
    expect(hasValidSignature(parsed, key.privateKey)).toBe(true);
  });

  it('leaves the footer part out when there is no footer', () => {
    const bare = signV4Public(Buffer.from('x'), key.privateKey);
    expect(bare.split('.')).toHaveLength(3);
    expect(parseToken(bare).footer).toHaveLength(0);
  });

  it('refuses tokens too short to hold a signature, and oversized ones first', () => {
    expect(() => parseToken('v4.public.AAAA')).toThrow(TicketError);
    try {
      parseToken(`v4.public.${'A'.repeat(100)}`, 50);
    } catch (error) {
      expect((error as TicketError).code).toBe('too_large');
    }
    expect.assertions(2);
  });
});
