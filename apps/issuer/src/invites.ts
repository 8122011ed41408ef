// Party invites: a token the leader hands out; whoever holds it may join the party until it expires.
import { Problem } from '@ticketbooth/http';
import { TicketError, signToken, toPasetoDate, type ClaimsOf } from '@ticketbooth/tickets';
import type { IssuerContext } from './context.ts';
import type { Party } from './store/party-store.ts';

/** Long enough to pass a link to a friend, short enough that a leaked one soon stops working. */
export const INVITE_TTL_MS = 10 * 60_000;

export interface InviteToken {
  readonly token: string;
  readonly expiresAt: string;
}

/** An invite into `party`, signed with the issuer's key ring: `sub` is the leader, `party` the party id. */
export function signInvite(ctx: IssuerContext, party: Party): InviteToken {
  const now = ctx.now();
  const expiresAt = toPasetoDate(now + INVITE_TTL_MS);
  const token = signToken(ctx.keys.signingKey(), 'invite', {
    iss: ctx.shared.issuer,
    sub: party.leaderId,
    // Only the issuer reads invites, as it alone reads sessions.
    aud: ctx.shared.audiences.session,
    iat: toPasetoDate(now),
    exp: expiresAt,
    jti: ctx.randomId(),
    party: party.id,
  });
  return { token, expiresAt };
}

/**
 * The claims of a valid invite into party `partyId`: 400 `invite-expired` past its time,
 * 400 `invalid-invite` for anything else (forged, malformed, another purpose such as a
 * session, another party's invite).
 */
export function readInvite(ctx: IssuerContext, token: string, partyId: string): Readonly<ClaimsOf<'invite'>> {
  let claims: Readonly<ClaimsOf<'invite'>>;
  try {
    claims = ctx.invites.verify(token).claims;
  } catch (error) {
    if (error instanceof TicketError && error.code === 'expired') {
      throw new Problem(400, 'invite-expired', 'Invite expired', 'ask the party leader for a new one');
    }
    if (error instanceof TicketError) throw invalidInvite(`${error.code}: ${error.message}`);
    throw error;
  }
  if (claims.party !== partyId) throw invalidInvite('an invite into another party');
  return claims;
}

export const invalidInvite = (detail: string) => new Problem(400, 'invalid-invite', 'Invalid invite', detail);
