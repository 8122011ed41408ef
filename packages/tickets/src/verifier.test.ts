import { describe, expect, it } from 'vitest';
import { EPOCH, MINUTE, claimsFor, ringWith, seededKey, ticketClaims } from '../test/fixtures.ts';
import { PURPOSES, toPasetoDate, type Purpose } from './claims.ts';
import { TicketError, type TicketErrorCode } from './errors.ts';
import { KeyRing, createVerificationKey } from './key-ring.ts';
import { signV4Public } from './paseto.ts';
import { implicitAssertion, signToken } from './token.ts';
import { createVerifier, type VerifierOptions } from './verifier.ts';

const key = seededKey(1);

function setup(overrides: Partial<VerifierOptions<'ticket'>> = {}) {
  const clock = { now: EPOCH + MINUTE };
  const ring = ringWith(key);
  const verifier = createVerifier({
    keys: ring,
    purpose: 'ticket',
    issuer: 'issuer',
    audience: 'matchmaker',
    maxLifetimeMs: 10 * MINUTE,
    leewayMs: 1_000,
    now: () => clock.now,
    ...overrides,
  });
  return { clock, ring, verifier };
}

function codeOf(fn: () => unknown): TicketErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof TicketError) return error.code;
    throw error;
  }
  return undefined;
}

/** Signs arbitrary payload bytes as a ticket, bypassing the claim check in signToken. */
function rawTicket(payload: string, footer = JSON.stringify({ kid: key.kid, purpose: 'ticket' })): string {
  return signV4Public(Buffer.from(payload), key.privateKey, Buffer.from(footer), Buffer.from(implicitAssertion('ticket')));
}

describe('createVerifier', () => {
  it('returns typed, frozen claims of a valid ticket', () => {
    const { verifier } = setup();
    const result = verifier.verify(signToken(key, 'ticket', ticketClaims({ latencies: { eu: 20 } })));
    expect(result.claims.pool).toEqual({ mode: 'squad', region: 'eu' });
    expect(result.claims.latencies).toEqual({ eu: 20 });
    expect(result.kid).toBe(key.kid);
    expect(result.expiresAt).toBe(EPOCH + 5 * MINUTE);
    expect(Object.isFrozen(result.claims.pool)).toBe(true);
  });

  it.each(PURPOSES.filter((p) => p !== 'ticket'))('refuses a %s token as a ticket, even under the same key', (purpose) => {
    const { verifier } = setup();
    const token = signToken(key, purpose as Purpose, claimsFor(purpose as Purpose));
    expect(codeOf(() => verifier.verify(token))).toBe('wrong_purpose');
  });

  it('refuses a re-footered token of another purpose: the implicit assertion binds it', () => {
    const { verifier } = setup();
    const session = signToken(key, 'session', claimsFor('session'));
    const body = session.split('.')[2];
    const footer = Buffer.from(JSON.stringify({ kid: key.kid, purpose: 'ticket' })).toString('base64url');
    expect(codeOf(() => verifier.verify(`v4.public.${body}.${footer}`))).toBe('bad_signature');
  });

  it('refuses a tampered payload', () => {
    const { verifier } = setup();
    const token = signToken(key, 'ticket', ticketClaims());
    const [h, v, body, footer] = token.split('.');
    const bytes = Buffer.from(body!, 'base64url');
    bytes[10] = (bytes[10] as number) ^ 1;
    expect(codeOf(() => verifier.verify([h, v, bytes.toString('base64url'), footer].join('.')))).toBe('bad_signature');
  });

  it('fails closed on an unknown kid, and a forged footer kid does not help', () => {
    const { verifier } = setup();
    const stranger = seededKey(2);
    expect(codeOf(() => verifier.verify(signToken(stranger, 'ticket', ticketClaims())))).toBe('unknown_key');
    // Signed by a stranger but claiming our kid: the footer is only a hint.
    const forged = signV4Public(
      Buffer.from(JSON.stringify(ticketClaims())),
      stranger.privateKey,
      Buffer.from(JSON.stringify({ kid: key.kid, purpose: 'ticket' })),
      Buffer.from(implicitAssertion('ticket')),
    );
    expect(codeOf(() => verifier.verify(forged))).toBe('bad_signature');
  });

  it('checks issuer and audience', () => {
    const { verifier } = setup();
    expect(codeOf(() => verifier.verify(signToken(key, 'ticket', ticketClaims({ iss: 'other' }))))).toBe('wrong_issuer');
    expect(codeOf(() => verifier.verify(signToken(key, 'ticket', ticketClaims({ aud: 'other' }))))).toBe('wrong_audience');
  });

  it('accepts a list of issuers', () => {
    const { verifier } = setup({ issuer: ['a', 'issuer'] });
    expect(verifier.verify(signToken(key, 'ticket', ticketClaims())).claims.iss).toBe('issuer');
  });

  it('expires a token at its exp exactly, whatever the skew leeway, cached or not', () => {
    for (const cacheSize of [0, 100]) {
      const { verifier, clock } = setup({ cacheSize, leewayMs: 30_000 });
      const token = signToken(key, 'ticket', ticketClaims());
      clock.now = EPOCH + 5 * MINUTE - 1;
      expect(verifier.verify(token).claims.sub).toBe('player-1');
      clock.now = EPOCH + 5 * MINUTE;
      expect(codeOf(() => verifier.verify(token))).toBe('expired');
      // Never valid again once refused: the cache holds nothing past exp either.
      clock.now = EPOCH + 5 * MINUTE + 1;
      expect(codeOf(() => verifier.verify(token))).toBe('expired');
    }
  });

  it('accepts an expired token for acceptExpiredForMs only when asked to (evidence, not access)', async () => {
    const { verifier, clock } = setup({ acceptExpiredForMs: MINUTE });
    const token = signToken(key, 'ticket', ticketClaims());
    clock.now = EPOCH + 6 * MINUTE - 1;
    expect(verifier.verify(token).claims.sub).toBe('player-1');
    clock.now = EPOCH + 6 * MINUTE;
    expect(codeOf(() => verifier.verify(token))).toBe('expired');
    await expect(Promise.resolve().then(() => verifier.verifyOffThread(token))).rejects.toMatchObject({ code: 'expired' });
  });

  it('refuses tokens issued in the future or before their nbf', () => {
    const { verifier, clock } = setup();
    clock.now = EPOCH - 2_000;
    expect(codeOf(() => verifier.verify(signToken(key, 'ticket', ticketClaims())))).toBe('not_yet_valid');
    clock.now = EPOCH;
    const later = ticketClaims({ nbf: toPasetoDate(EPOCH + MINUTE), jti: 'nbf' });
    expect(codeOf(() => verifier.verify(signToken(key, 'ticket', later)))).toBe('not_yet_valid');
    clock.now = EPOCH + MINUTE;
    expect(verifier.verify(signToken(key, 'ticket', later)).claims.jti).toBe('nbf');
  });

  it('refuses lifetimes above the maximum and exp before iat', () => {
    const { verifier } = setup();
    const long = ticketClaims({ exp: toPasetoDate(EPOCH + 11 * MINUTE) });
    expect(codeOf(() => verifier.verify(signToken(key, 'ticket', long)))).toBe('lifetime_exceeded');
    const backwards = ticketClaims({ exp: toPasetoDate(EPOCH - 1) });
    expect(codeOf(() => verifier.verify(signToken(key, 'ticket', backwards)))).toBe('invalid_claims');
  });

  it('refuses missing, unknown and ill-typed claims', () => {
    const { verifier } = setup();
    const { jti: _jti, ...noJti } = ticketClaims();
    expect(codeOf(() => verifier.verify(rawTicket(JSON.stringify(noJti))))).toBe('invalid_claims');
    expect(codeOf(() => verifier.verify(rawTicket(JSON.stringify({ ...ticketClaims(), admin: true }))))).toBe('invalid_claims');
    expect(codeOf(() => verifier.verify(rawTicket(JSON.stringify({ ...ticketClaims(), rating: '1500' }))))).toBe('invalid_claims');
    expect(codeOf(() => verifier.verify(rawTicket(JSON.stringify({ ...ticketClaims(), exp: 'tomorrow' }))))).toBe('invalid_claims');
    const badRegion = { ...ticketClaims(), latencies: { EU: 1 } };
    expect(codeOf(() => verifier.verify(rawTicket(JSON.stringify(badRegion))))).toBe('invalid_claims');
  });

  it('refuses payloads that are not one canonical JSON object', () => {
    const { verifier } = setup();
    const json = JSON.stringify(ticketClaims());
    for (const payload of ['[1,2]', '"text"', 'null', '{not json', ` ${json}`, json.replace('{', '{"sub":"x",')]) {
      expect(codeOf(() => verifier.verify(rawTicket(payload))), payload).toBe('malformed');
    }
    const invalidUtf8 = signV4Public(
      Buffer.from([0x7b, 0xff, 0x7d]),
      key.privateKey,
      Buffer.from(JSON.stringify({ kid: key.kid })),
      Buffer.from(implicitAssertion('ticket')),
    );
    expect(codeOf(() => verifier.verify(invalidUtf8))).toBe('malformed');
  });

  it('never lets __proto__ or constructor keys through', () => {
    const { verifier } = setup();
    for (const evil of ['__proto__', 'constructor', 'prototype']) {
      const payload = JSON.stringify(ticketClaims()).replace('{', `{"${evil}":{"admin":true},`);
      expect(codeOf(() => verifier.verify(rawTicket(payload)))).toBe('malformed');
      const nested = JSON.stringify({ ...ticketClaims(), latencies: { eu: 1 } }).replace('{"eu"', `{"${evil}":{"x":1},"eu"`);
      expect(codeOf(() => verifier.verify(rawTicket(nested)))).toBe('malformed');
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('checks the size before decoding anything', () => {
    const { verifier } = setup({ maxTokenBytes: 300 });
    expect(codeOf(() => verifier.verify(`v4.public.${'A'.repeat(400)}`))).toBe('too_large');
    expect(codeOf(() => verifier.verify(`garbage${'!'.repeat(400)}`))).toBe('too_large');
  });

  it('refuses non-canonical spellings and broken footers as malformed', () => {
    const { verifier } = setup();
    const token = signToken(key, 'ticket', ticketClaims());
    const [, , body, footer] = token.split('.');
    const cases = [
      token.replace('v4.public.', 'v4.local.'),
      token.replace('v4.public.', 'v2.public.'),
      `v4.public.${body}`,
      `v4.public.${body}.`,
      `v4.public.${body}=.${footer}`,
      `v4.public.${body}.${footer}=`,
      `v4.public. ${body}.${footer}`,
      `v4.public.${body!.replaceAll('_', '/').replaceAll('-', '+')}.${footer}`,
      `v4.public.${body}.${Buffer.from('{"kid":1}').toString('base64url')}`,
      `v4.public.${body}.${Buffer.from('{"kid":"k","purpose":"admin"}').toString('base64url')}`,
      `v4.public.${body}.${Buffer.from('{"kid":"k","x":1}').toString('base64url')}`,
      `v4.public.AAAA.${footer}`,
    ];
    for (const bad of cases) {
      if (bad === token) continue;
      expect(codeOf(() => verifier.verify(bad)), bad.slice(0, 40)).toBe('malformed');
    }
  });

  it('treats a non-string token as caller misuse', () => {
    const { verifier } = setup();
    expect(() => verifier.verify(42 as unknown as string)).toThrow(TypeError);
  });

  it('validates its own options', () => {
    const ring = new KeyRing();
    const base = { keys: ring, purpose: 'ticket' as const, issuer: 'i', audience: 'a', maxLifetimeMs: 1 };
    expect(() => createVerifier({ ...base, maxLifetimeMs: 0 })).toThrow(TypeError);
    expect(() => createVerifier({ ...base, audience: '' })).toThrow(TypeError);
    expect(() => createVerifier({ ...base, cacheSize: -1 })).toThrow(TypeError);
  });
});

describe('key rotation', () => {
  it('keeps the old key valid until its notAfter and the new one from its notBefore', () => {
    const { verifier, ring, clock } = setup({ cacheSize: 0 });
    const next = seededKey(3);
    ring.add(createVerificationKey({ publicKey: next.publicPaserk, notBefore: EPOCH + 2 * MINUTE }));
    const fromNext = signToken(next, 'ticket', ticketClaims({ iat: toPasetoDate(EPOCH + 2 * MINUTE) }));
    const fromOld = signToken(key, 'ticket', ticketClaims());
    expect(codeOf(() => verifier.verify(fromNext))).toBe('key_inactive');

    clock.now = EPOCH + 2 * MINUTE;
    ring.setSigningKey(next);
    ring.retire(key.kid, EPOCH + 4 * MINUTE);
    expect(verifier.verify(fromNext).kid).toBe(next.kid);
    expect(verifier.verify(fromOld).kid).toBe(key.kid);

    clock.now = EPOCH + 4 * MINUTE;
    expect(codeOf(() => verifier.verify(fromOld))).toBe('key_inactive');
    expect(verifier.verify(fromNext).kid).toBe(next.kid);
  });
});

describe('verification cache', () => {
  it('answers repeats from the cache and counts hits and misses', () => {
    const { verifier } = setup();
    const token = signToken(key, 'ticket', ticketClaims());
    const first = verifier.verify(token);
    expect(verifier.verify(token)).toBe(first);
    expect(verifier.stats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
  });

  it('caches only successes', () => {
    const { verifier } = setup();
    const token = signToken(key, 'ticket', ticketClaims({ aud: 'other' }));
    expect(codeOf(() => verifier.verify(token))).toBe('wrong_audience');
    expect(codeOf(() => verifier.verify(token))).toBe('wrong_audience');
    expect(verifier.stats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
  });

  it('drops an entry when its token expires', () => {
    const { verifier, clock } = setup();
    const token = signToken(key, 'ticket', ticketClaims());
    verifier.verify(token);
    clock.now = EPOCH + 5 * MINUTE + 1_000;
    expect(codeOf(() => verifier.verify(token))).toBe('expired');
    expect(verifier.stats()).toMatchObject({ hits: 0, size: 0 });
  });

  it('stops serving cached results when the key is retired or removed', () => {
    const { verifier, ring, clock } = setup();
    const token = signToken(key, 'ticket', ticketClaims());
    verifier.verify(token);
    ring.retire(key.kid, EPOCH + 2 * MINUTE);
    expect(verifier.verify(token).kid).toBe(key.kid);
    clock.now = EPOCH + 2 * MINUTE;
    expect(codeOf(() => verifier.verify(token))).toBe('key_inactive');

    const other = setup();
    const cached = signToken(key, 'ticket', ticketClaims());
    other.verifier.verify(cached);
    other.ring.remove(key.kid);
    expect(codeOf(() => other.verifier.verify(cached))).toBe('unknown_key');
  });

  it('is bounded: the least recently used token is evicted', () => {
    const { verifier } = setup({ cacheSize: 2 });
    const tokens = ['a', 'b', 'c'].map((jti) => signToken(key, 'ticket', ticketClaims({ jti })));
    verifier.verify(tokens[0]!);
    verifier.verify(tokens[1]!);
    verifier.verify(tokens[0]!); // a is now the most recent
    verifier.verify(tokens[2]!); // evicts b
    expect(verifier.stats()).toMatchObject({ size: 2, evictions: 1 });
    verifier.verify(tokens[0]!);
    verifier.verify(tokens[1]!);
    expect(verifier.stats()).toMatchObject({ hits: 2, misses: 4 });
  });

  it('can be cleared', () => {
    const { verifier } = setup();
    verifier.verify(signToken(key, 'ticket', ticketClaims()));
    verifier.clearCache();
    expect(verifier.stats().size).toBe(0);
  });
});

describe('dates', () => {
  it('accepts RFC 3339 dates with offsets and fractions, refuses impossible fields', () => {
    const { verifier } = setup();
    const withOffset = ticketClaims({ iat: '2026-01-01T05:30:00.000000+05:30', jti: 'offset' });
    expect(verifier.verify(signToken(key, 'ticket', withOffset)).issuedAt).toBe(EPOCH);
    for (const bad of ['2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:60Z', '2026-01-01 00:00:00Z', '2026-01-01T00:00:00']) {
      expect(codeOf(() => verifier.verify(rawTicket(JSON.stringify({ ...ticketClaims(), queuedAt: bad })))), bad).toBe('invalid_claims');
    }
  });
});

describe('verifyOffThread', () => {
  it('settles with what verify returns, and caches it so the repeat is synchronous', async () => {
    const { verifier } = setup();
    const token = signToken(key, 'ticket', ticketClaims());
    const pending = verifier.verifyOffThread(token);
    expect(pending).toBeInstanceOf(Promise);
    const result = await pending;
    expect(result).toEqual(setup().verifier.verify(token));
    expect(verifier.verifyOffThread(token)).toBe(result);
    expect(verifier.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('rejects a forged signature and bad claims with their codes, caching neither', async () => {
    const { verifier } = setup();
    const token = signToken(key, 'ticket', ticketClaims());
    const forged = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    await expect(verifier.verifyOffThread(forged)).rejects.toMatchObject({ code: 'bad_signature' });
    const badClaims = rawTicket(JSON.stringify({ ...ticketClaims(), aud: 'elsewhere' }));
    await expect(verifier.verifyOffThread(badClaims)).rejects.toMatchObject({ code: 'wrong_audience' });
    expect(verifier.stats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
  });

  it('throws at once what needs no signature check: size, format, purpose, unknown key', () => {
    const { verifier } = setup();
    expect(codeOf(() => verifier.verifyOffThread('x'.repeat(9_000)))).toBe('too_large');
    expect(codeOf(() => verifier.verifyOffThread('v4.public.nope'))).toBe('malformed');
    expect(codeOf(() => verifier.verifyOffThread(signToken(key, 'session', claimsFor('session'))))).toBe('wrong_purpose');
    expect(codeOf(() => verifier.verifyOffThread(signToken(seededKey(2), 'ticket', ticketClaims())))).toBe('unknown_key');
  });

  it('refuses a ticket whose key was removed while its signature was being checked', async () => {
    const { verifier, ring } = setup();
    const pending = verifier.verifyOffThread(signToken(key, 'ticket', ticketClaims()));
    ring.remove(key.kid);
    await expect(pending).rejects.toMatchObject({ code: 'key_inactive' });
  });
});
