// Deterministic keys, a fixed epoch and claim builders shared by this package's tests.
import { toPasetoDate, type ClaimsOf, type Purpose, type TicketClaims } from '../src/claims.ts';
import { createSigningKey, KeyRing, type SigningKey } from '../src/key-ring.ts';

/** 2026-01-01T00:00:00Z: every time-dependent test starts here. */
export const EPOCH = Date.UTC(2026, 0, 1);
export const MINUTE = 60_000;

export function seededKey(byte: number): SigningKey {
  return createSigningKey(Buffer.alloc(32, byte));
}

export function ringWith(key: SigningKey): KeyRing {
  return new KeyRing({ signing: key });
}

export function ticketClaims(overrides: Partial<TicketClaims> = {}, at = EPOCH): TicketClaims {
  return {
    iss: 'issuer',
    sub: 'player-1',
    aud: 'matchmaker',
    iat: toPasetoDate(at),
    exp: toPasetoDate(at + 5 * MINUTE),
    jti: 'jti-1',
    pool: { mode: 'squad', region: 'eu' },
    rating: 1500,
    queuedAt: toPasetoDate(at),
    ...overrides,
  };
}

export function claimsFor<P extends Purpose>(purpose: P, at = EPOCH): ClaimsOf<P> {
  const base = {
    iss: 'issuer',
    sub: 'player-1',
    aud: 'matchmaker',
    iat: toPasetoDate(at),
    exp: toPasetoDate(at + 5 * MINUTE),
    jti: `${purpose}-1`,
  };
  const extra = {
    session: { epoch: 0 },
    invite: { party: 'party-1' },
    ticket: { pool: { mode: 'squad', region: 'eu' }, rating: 1500, queuedAt: toPasetoDate(at) },
    match: {
      pool: { mode: 'duel', region: 'eu' },
      teams: [[{ sub: 'a', rating: 1 }], [{ sub: 'b', rating: 2 }]],
    },
    assignment: { match: 'match-1', pool: { mode: 'duel', region: 'eu' }, connect: '127.0.0.1:7777' },
    revocations: { since: toPasetoDate(at - MINUTE), entries: [] },
  }[purpose];
  return { ...base, ...extra } as ClaimsOf<P>;
}
