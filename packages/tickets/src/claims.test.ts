import { describe, expect, it } from 'vitest';
import { EPOCH, MINUTE, claimsFor, ringWith, seededKey } from '../test/fixtures.ts';
import { CLAIM_SCHEMAS, PURPOSES, inviteClaims, ticketClaims } from './claims.ts';
import { signToken } from './token.ts';
import { createVerifier } from './verifier.ts';

describe('invite claims', () => {
  it('are the registered claims plus the party id, nothing else', () => {
    const invite = claimsFor('invite');
    expect(inviteClaims.parse(invite)).toEqual(invite);
    expect(inviteClaims.safeParse({ ...invite, party: '' }).success).toBe(false);
    expect(inviteClaims.safeParse({ ...invite, party: 'p'.repeat(129) }).success).toBe(false);
    const { party: _party, ...withoutParty } = invite;
    expect(inviteClaims.safeParse(withoutParty).success).toBe(false);
    expect(inviteClaims.safeParse({ ...invite, epoch: 0 }).success).toBe(false);
  });

  it('have a purpose of their own: an invite is never a session or a ticket, nor they an invite', () => {
    expect(PURPOSES).toContain('invite');
    expect(CLAIM_SCHEMAS.invite).toBe(inviteClaims);
    const key = seededKey(7);
    const verifier = <P extends 'invite' | 'session' | 'ticket'>(purpose: P) =>
      createVerifier({ keys: ringWith(key), purpose, issuer: 'issuer', audience: 'matchmaker', maxLifetimeMs: 10 * MINUTE, now: () => EPOCH });
    const invite = signToken(key, 'invite', claimsFor('invite'));
    expect(verifier('invite').verify(invite).claims.party).toBe('party-1');
    expect(() => verifier('session').verify(invite)).toThrow(expect.objectContaining({ code: 'wrong_purpose' }));
    expect(() => verifier('ticket').verify(invite)).toThrow(expect.objectContaining({ code: 'wrong_purpose' }));
    for (const purpose of ['session', 'ticket'] as const) {
      expect(() => verifier('invite').verify(signToken(key, purpose, claimsFor(purpose)))).toThrow(expect.objectContaining({ code: 'wrong_purpose' }));
    }
  });
});

describe('ticket claims', () => {
  it('carry up to 63 other party members: a party fills at most one team of 64', () => {
    const ticket = claimsFor('ticket');
    const members = (n: number) => Array.from({ length: n }, (_, i) => ({ sub: `member-${i}`, rating: 1500 }));
    expect(ticketClaims.safeParse({ ...ticket, party: members(63) }).success).toBe(true);
    expect(ticketClaims.safeParse({ ...ticket, party: members(64) }).success).toBe(false);
    expect(ticketClaims.safeParse({ ...ticket, party: [] }).success).toBe(false);
  });
});
