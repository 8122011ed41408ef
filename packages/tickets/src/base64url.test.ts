import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url, isCanonicalBase64url } from './base64url.ts';

describe('strict base64url', () => {
  it('round-trips every length', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      const text = encodeBase64url(bytes);
      expect(isCanonicalBase64url(text)).toBe(true);
      expect(decodeBase64url(text)).toEqual(bytes);
    }
  });

  it('refuses non-zero trailing bits, which Buffer would silently accept', () => {
    // "AB" and "AC" decode to the same byte under a lenient decoder.
    expect(Buffer.from('AB', 'base64url')).toEqual(Buffer.from('AA', 'base64url'));
    expect(isCanonicalBase64url('AA')).toBe(true);
    expect(isCanonicalBase64url('AB')).toBe(false);
    expect(isCanonicalBase64url('AAA')).toBe(true);
    expect(isCanonicalBase64url('AAB')).toBe(false);
  });

  it('refuses padding, the standard alphabet, whitespace, non-ASCII and impossible lengths', () => {
    for (const bad of ['AA==', 'AAA=', 'a+b/', 'AA AA', 'AA\n', 'AAé', 'A', 'AAAAA']) {
      expect(isCanonicalBase64url(bad), JSON.stringify(bad)).toBe(false);
      expect(decodeBase64url(bad)).toBeUndefined();
    }
  });
});
