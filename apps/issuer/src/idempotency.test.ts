import { createSigningKey, generateSeed } from '@ticketbooth/tickets';
import { Problem } from '@ticketbooth/http';
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_SKEW_MS, deriveTicketJti, parseIdempotencyKey, type IdempotentInputs } from './idempotency.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const TTL = 300_000;
const RANDOM = 'abcdefghijklmnop';

function refusal(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof Problem ? error.code : String(error);
  }
}

describe('parseIdempotencyKey', () => {
  it('takes the client time when inside (now - ttl, now + skew]', () => {
    expect(parseIdempotencyKey(`${T0 - TTL + 1}.${RANDOM}`, T0, TTL)).toEqual({ issuedAt: T0 - TTL + 1, key: `${T0 - TTL + 1}.${RANDOM}` });
    expect(parseIdempotencyKey(`${T0 + IDEMPOTENCY_SKEW_MS}.${RANDOM}`, T0, TTL).issuedAt).toBe(T0 + IDEMPOTENCY_SKEW_MS);
    expect(refusal(() => parseIdempotencyKey(`${T0 - TTL}.${RANDOM}`, T0, TTL))).toBe('invalid-idempotency-key');
    expect(refusal(() => parseIdempotencyKey(`${T0 + IDEMPOTENCY_SKEW_MS + 1}.${RANDOM}`, T0, TTL))).toBe('invalid-idempotency-key');
  });

  it('refuses keys that are not <unix-ms>.<random>', () => {
    for (const key of ['', RANDOM, `${T0}`, `${T0}.short`, `${T0}.${'x'.repeat(65)}`, `${T0}.has space in it!!`, `0${T0}.${RANDOM}`]) {
      expect(refusal(() => parseIdempotencyKey(key, T0, TTL)), key).toBe('invalid-idempotency-key');
    }
  });
});

describe('deriveTicketJti', () => {
  const key = createSigningKey(generateSeed());
  const inputs: IdempotentInputs = { sessionJti: 's1', userId: 'u1', mode: 'duel', region: 'eu', latencies: { na: 9, eu: 1 }, key: `${T0}.${RANDOM}` };

  it('is a deterministic 128-bit id, the same for the same inputs in any key order', () => {
    const jti = deriveTicketJti(key, inputs);
    expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(deriveTicketJti(createSigningKey(key.paserk), { ...inputs, latencies: { eu: 1, na: 9 } })).toBe(jti);
  });

  it('changes with every input and with the signing key', () => {
    const jti = deriveTicketJti(key, inputs);
    const variants: IdempotentInputs[] = [
      { ...inputs, sessionJti: 's2' },
      { ...inputs, userId: 'u2' },
      { ...inputs, mode: 'squad' },
      { ...inputs, region: 'na' },
      { ...inputs, previousTicket: 'v4.public.x' },
      { ...inputs, latencies: { eu: 2, na: 9 } },
      { ...inputs, key: `${T0}.${RANDOM}x` },
    ];
    for (const variant of variants) expect(deriveTicketJti(key, variant)).not.toBe(jti);
    expect(deriveTicketJti(createSigningKey(generateSeed()), inputs)).not.toBe(jti);
  });
});
