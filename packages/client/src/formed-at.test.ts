import { describe, expect, it } from 'vitest';
import { matchFormedAt } from './formed-at.ts';
import { tokenWithPayload } from './test-support/tokens.ts';

describe('matchFormedAt', () => {
  it('reads iat from the payload, with non-ASCII text before it', () => {
    const iat = '2026-12-01T10:00:00.123Z';
    expect(matchFormedAt(tokenWithPayload({ jti: 'm-1', teams: [[{ sub: 'jörg ✓' }]], iat }))).toBe(Date.parse(iat));
  });

  it('is NaN for anything else', () => {
    for (const token of ['v4.public.m1', '', 'v4.public.!!!', tokenWithPayload({ jti: 'm-1' }), tokenWithPayload({ iat: 12 }), `v4.public.${Buffer.alloc(64).toString('base64url')}`]) {
      expect(matchFormedAt(token)).toBeNaN();
    }
  });
});
