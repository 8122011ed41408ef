// The party rules: which modes allow parties, who may see, invite, remove and disband, and
// what a party looks like in answers. Pure; routes/parties.ts does the I/O.
import { maxPartySizeOf, type SharedConfig } from '@ticketbooth/config';
import { Problem } from '@ticketbooth/http';
import type { Party } from './store/party-store.ts';
import { unknownMode } from './tickets.ts';

export const partyNotFound = () => new Problem(404, 'party-not-found', 'No such party', 'it does not exist, or you are not in it');
export const alreadyInParty = () => new Problem(409, 'already-in-party', 'Already in a party', 'leave your party first');
export const notPartyLeader = () => new Problem(403, 'not-party-leader', 'Only the party leader may do this');
export const notAMember = () => new Problem(404, 'not-a-member', 'Not a member of this party');
export const notInParty = () => new Problem(404, 'not-in-party', 'You are not in a party');
export const partyFull = (maxSize: number) => new Problem(409, 'party-full', 'Party full', `at most ${maxSize} players in a party of this mode`);

/** Most players in a party of `mode`, leader included; 1 (no joins) for a mode no longer configured. */
export function maxPartySize(config: SharedConfig, mode: string): number {
  return Object.hasOwn(config.modes, mode) ? maxPartySizeOf(config.modes[mode]!) : 1;
}

/** Refuses a party in a mode this deployment does not offer (422 unknown-mode) or plays without parties (422 parties-not-allowed). */
export function checkPartyMode(config: SharedConfig, mode: string): void {
  if (!Object.hasOwn(config.modes, mode)) throw unknownMode(config, mode);
  if (maxPartySize(config, mode) < 2) {
    throw new Problem(422, 'parties-not-allowed', 'No parties in this mode', `${mode} is played without parties (maxPartySize 1)`);
  }
}

export function isMember(party: Party, userId: string): boolean {
  return party.members.some((m) => m.userId === userId);
}

/**
 * The party, if `userId` is in it. To anyone else it does not exist: 404, never 403, so
 * trying party ids tells an outsider nothing.
 */
export function requireMember(party: Party | undefined, userId: string): Party {
  if (party === undefined || !isMember(party, userId)) throw partyNotFound();
  return party;
}

export function requireLeader(party: Party, userId: string): void {
  if (party.leaderId !== userId) throw notPartyLeader();
}

export interface PartyView {
  readonly id: string;
  readonly mode: string;
  readonly leader: string;
  readonly version: number;
  readonly maxSize: number;
  readonly members: { readonly id: string; readonly username: string }[];
}

/** A party as answers show it: members in joining order (the leader first), with their usernames. */
export function partyView(party: Party, maxSize: number, usernames: ReadonlyMap<string, string>): PartyView {
  return {
    id: party.id,
    mode: party.mode,
    leader: party.leaderId,
    version: party.version,
    maxSize,
    members: party.members.map((m) => ({ id: m.userId, username: usernames.get(m.userId) ?? '' })),
  };
}
