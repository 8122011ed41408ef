// What the matchmaker's routes refuse, and when: the problem codes their documents list, from
// the steps each route takes (a ticket checked, a match presented, the refusal budget).
import { mergeRefusals, tokenRefusals, type Refusals } from '@ticketbooth/http';

const BUSY = { busy: 'Too many new tickets to check right now (Retry-After); queued players are always served.' };

/** A bearer ticket checked as POST /v1/queue checks it (ticket-check.ts): refused, or no room to check a new one now. */
export const CHECKED_TICKET: Refusals = mergeRefusals(tokenRefusals('ticket'), { 503: BUSY });

/** The refusal budget of POST /v1/queue, which the match routes spend too (forged tokens cost a signature check each). */
export const THROTTLED: Refusals = {
  429: {
    'too-many-invalid-tickets':
      'This client address sent more refused tokens than its budget allows (Retry-After); queued tickets are still answered. ' +
      'A connection that keeps sending refused or throttled tokens (10 by default) is closed after the answer (Connection: close).',
  },
};

/** A bearer ticket and the `tokens` in the body (reannounce.ts): any of them may be refused. */
export function presentedMatch(tokens: string): Refusals {
  return mergeRefusals(
    tokenRefusals(`ticket or ${tokens}`),
    // The header carries the ticket alone.
    { 401: { 'missing-token': 'No `Authorization: Bearer <ticket>` header.', 'too-large': 'The ticket is longer than 8 KiB, or a token was refused as too long.' } },
    THROTTLED,
    {
      403: {
        'not-in-match': 'The ticket holder is not a member of this match: nobody can answer or present it for another player (the ticket is theirs).',
        revoked: 'The presenter is banned.',
      },
      422: {
        'pool-not-served': 'The match is for a pool this matchmaker does not serve.',
        'match-not-ours': 'The match was signed with a key this matchmaker does not hold: stop presenting it.',
      },
    },
  );
}
