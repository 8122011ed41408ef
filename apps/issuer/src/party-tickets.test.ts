import { createSigningKey, generateSeed } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { deriveTicketJti } from './idempotency.ts';
import { partyTicketIssuedAt, partyTicketJti, type PartyTicketIdentity } from './party-tickets.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const TTL = 300_000;

describe('partyTicketIssuedAt', () => {
  it('is the start of the current half-lifetime window, aligned to the epoch', () => {
    expect(T0 % (TTL / 2)).toBe(0);
    for (const now of [T0, T0 + 1, T0 + TTL / 2 - 1]) expect(partyTicketIssuedAt(T0 - 3_600_000, now, TTL)).toBe(T0);
    expect(partyTicketIssuedAt(T0 - 3_600_000, T0 + TTL / 2, TTL)).toBe(T0 + TTL / 2);
  });

  it('is the last membership change when that came later in the window', () => {
    expect(partyTicketIssuedAt(T0 + 42_000, T0 + 100_000, TTL)).toBe(T0 + 42_000);
    expect(partyTicketIssuedAt(T0 + 42_000, T0 + TTL, TTL)).toBe(T0 + TTL);
  });

  it('leaves a ticket at least half its lifetime, an odd one included', () => {
    for (const ttl of [TTL, 10_001, 3]) {
      for (const now of [T0, T0 + 1, T0 + 4_999, T0 + 5_000, T0 + 123_457]) {
        const issuedAt = partyTicketIssuedAt(0, now, ttl);
        expect(issuedAt).toBeLessThanOrEqual(now);
        expect(issuedAt + ttl - now).toBeGreaterThanOrEqual(ttl / 2);
      }
    }
  });
});

describe('partyTicketJti', () => {
  const key = createSigningKey(generateSeed());
  const base: PartyTicketIdentity = {
    partyId: 'party-1',
    version: 3,
    issuedAt: T0,
    pool: { mode: 'squad', region: 'eu' },
    queuedAt: T0 - 60_000,
    latencies: { na: 90, eu: 20 },
  };

  it('is the same for the same party state and request, whatever the order of latencies', () => {
    expect(partyTicketJti(key, base)).toBe(partyTicketJti(key, { ...base, latencies: { eu: 20, na: 90 } }));
    expect(partyTicketJti(key, base)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('differs for anything else, and under another key', () => {
    const others: PartyTicketIdentity[] = [
      { ...base, partyId: 'party-2' },
      { ...base, version: 4 },
      { ...base, issuedAt: T0 + 1 },
      { ...base, pool: { mode: 'squad', region: 'na' } },
      { ...base, queuedAt: T0 },
      { ...base, latencies: { eu: 21, na: 90 } },
      { partyId: base.partyId, version: base.version, issuedAt: base.issuedAt, pool: base.pool, queuedAt: base.queuedAt },
    ];
    const ids = new Set([base, ...others].map((t) => partyTicketJti(key, t)));
    expect(ids.size).toBe(others.length + 1);
    expect(partyTicketJti(createSigningKey(generateSeed()), base)).not.toBe(partyTicketJti(key, base));
  });

  it('never equals an idempotent solo ticket’s jti for look-alike inputs', () => {
    const solo = deriveTicketJti(key, { sessionJti: 'party', userId: 'party-1', mode: 'squad', region: 'eu', key: 'k' });
    expect(partyTicketJti(key, base)).not.toBe(solo);
  });
});
