// The `assignment` token: signed by the matchmaker once a match is settled, so that a member
// holding it through a restart settles the match again, and a game server checks it alone.
import { signToken, toPasetoDate, type KeyRing } from '@ticketbooth/tickets';
import type { Allocation } from './allocator.ts';
import type { MatchState } from './lifecycle.ts';

export interface AssignmentSignerOptions {
  readonly matchKeys: KeyRing;
  readonly matchIssuer: string;
  /** Game servers read it, as they read match tokens. */
  readonly audience: string;
  readonly now: () => number;
}

/**
 * @example
 * const sign = createAssignmentSigner({ matchKeys, matchIssuer, audience, now: Date.now });
 * sign(state, { connect: '10.0.0.7:7777' }) // v4.public....
 */
export function createAssignmentSigner(options: AssignmentSignerOptions): (state: MatchState, allocation: Allocation | undefined) => string {
  return (state, allocation) => {
    const at = options.now();
    const id = state.match.id;
    return signToken(options.matchKeys.signingKey(), 'assignment', {
      iss: options.matchIssuer,
      sub: id,
      aud: options.audience,
      iat: toPasetoDate(at),
      // Until the match token expires: a game server needs both, and the match's lifetime bounds them.
      exp: toPasetoDate(Math.max(at + 1_000, state.tokenExpiresAt)),
      jti: id,
      match: id,
      pool: state.match.pool,
      ...(allocation === undefined ? {} : { connect: allocation.connect }),
      ...(allocation?.details === undefined ? {} : { details: { ...allocation.details } }),
    });
  };
}
