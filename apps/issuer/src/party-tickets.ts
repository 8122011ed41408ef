// Party tickets: one ticket for the whole party, the very same bytes whichever member asks.
//
// Any member's client may keep the party queued, and the matchmaker must see one party,
// not one ticket per member. So nothing in the claims depends on who asks or exactly when:
// `iat` is the start of the current window (half a ticket lifetime, aligned to the epoch),
// or the last membership change when that is later, and `jti` is a keyed hash of the
// party's state. Ed25519 signatures are deterministic: equal claims sign to equal bytes.
import type { SharedConfig } from '@ticketbooth/config';
import { Problem } from '@ticketbooth/http';
import type { Attributes, Member, Pool, SigningKey } from '@ticketbooth/tickets';
import { keyedJti } from './idempotency.ts';
import { requireMember } from './parties.ts';
import type { Party } from './store/party-store.ts';
import type { UserStore } from './store/user-store.ts';
import { canonicalAttributes, sortedRecord } from './tickets.ts';

export interface TicketParty {
  readonly party: Party;
  /** Every member with their rating in the ticket's mode, in joining order: the leader first. */
  readonly members: readonly Member[];
}

/**
 * The party a ticket is asked for, checked: the caller is in it (404 party-not-found), the
 * mode is the party's (422 party-mode-mismatch) and no member is banned (403
 * party-member-banned: a ban must not be dodged by queueing in someone else's party).
 */
export async function loadTicketParty(
  store: UserStore,
  config: SharedConfig,
  request: { readonly callerId: string; readonly partyId: string; readonly mode: string },
): Promise<TicketParty> {
  const party = requireMember(await store.getParty(request.partyId), request.callerId);
  if (party.mode !== request.mode) {
    throw new Problem(422, 'party-mode-mismatch', 'Not the party’s mode', `the party plays ${party.mode}`);
  }
  const users = await Promise.all(party.members.map((m) => store.findUserById(m.userId)));
  const banned = users.find((user) => user?.banned === true);
  if (banned !== undefined) {
    throw new Problem(403, 'party-member-banned', 'A party member is banned', `member ${banned.id} is banned; the leader can remove them`);
  }
  const defaultRating = config.modes[party.mode]?.defaultRating ?? 0;
  const ratings = await Promise.all(party.members.map((m) => store.getRating(m.userId, party.mode)));
  return { party, members: party.members.map((m, i) => ({ sub: m.userId, rating: ratings[i] ?? defaultRating })) };
}

/**
 * `iat` of a party's ticket: the start of the current window (windows of `ticketTtlMs / 2`
 * from the epoch), or the last membership change when later. Every member asking within a
 * window gets the same time, and a ticket so issued still has at least half its life left.
 */
export function partyTicketIssuedAt(changedAt: number, now: number, ticketTtlMs: number): number {
  const windowMs = Math.max(1, Math.floor(ticketTtlMs / 2));
  return Math.max(changedAt, now - (now % windowMs));
}

/**
 * When a party's new search starts, for its first ticket: the start of the current resubmit
 * interval, so members asking within one interval still get the same bytes, but never the
 * window's start (`issuedAt`, up to half a ticket lifetime back): a party that formed a while
 * before queueing must not begin with that much wait already counted.
 */
export function partySearchStart(issuedAt: number, now: number, resubmitIntervalMs: number): number {
  const intervalMs = Math.max(1, resubmitIntervalMs);
  return Math.max(issuedAt, now - (now % intervalMs));
}

export interface PartyTicketIdentity {
  readonly partyId: string;
  readonly version: number;
  readonly issuedAt: number;
  readonly pool: Pool;
  readonly queuedAt: number;
  readonly latencies?: Readonly<Record<string, number>>;
  readonly attributes?: Attributes;
}

/**
 * `jti` of a party's ticket: equal for equal requests of one party state, different when
 * anything in the claims the request controls differs (latencies included, so two
 * different tokens never share an id).
 */
export function partyTicketJti(signingKey: SigningKey, ticket: PartyTicketIdentity): string {
  return keyedJti(signingKey, [
    'party',
    ticket.partyId,
    ticket.version,
    ticket.issuedAt,
    ticket.pool.mode,
    ticket.pool.region,
    ticket.queuedAt,
    ticket.latencies === undefined ? null : sortedRecord(ticket.latencies),
    ticket.attributes === undefined ? null : canonicalAttributes(ticket.attributes),
  ]);
}
