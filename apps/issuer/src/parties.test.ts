import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { Problem } from '@ticketbooth/http';
import { describe, expect, it } from 'vitest';
import { checkPartyMode, maxPartySize, partyView, requireLeader, requireMember } from './parties.ts';
import type { Party } from './store/party-store.ts';

const config = parseSharedConfig({ ...DEMO_CONFIG, modes: { ...DEMO_CONFIG.modes, trio: { teams: 2, teamSize: 3, maxPartySize: 1 } } });
const party: Party = {
  id: 'p1',
  mode: 'squad',
  leaderId: 'u1',
  version: 2,
  changedAt: 2,
  createdAt: 1,
  members: [
    { userId: 'u1', joinedAt: 1 },
    { userId: 'u2', joinedAt: 2 },
  ],
};

function refusal(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof Problem ? `${error.status} ${error.code}` : String(error);
  }
}

describe('party rules', () => {
  it('size parties by the mode: maxPartySize, else teamSize; 1 for a mode no longer offered', () => {
    expect([maxPartySize(config, 'squad'), maxPartySize(config, 'duel'), maxPartySize(config, 'trio'), maxPartySize(config, 'gone')]).toEqual([4, 1, 1, 1]);
    expect(refusal(() => checkPartyMode(config, 'squad'))).toBeUndefined();
    expect(refusal(() => checkPartyMode(config, 'duel'))).toBe('422 parties-not-allowed');
    expect(refusal(() => checkPartyMode(config, 'trio'))).toBe('422 parties-not-allowed');
    expect(refusal(() => checkPartyMode(config, 'constructor'))).toBe('422 unknown-mode');
  });

  it('show a party to members only, and let only the leader lead', () => {
    expect(requireMember(party, 'u2')).toBe(party);
    expect(refusal(() => requireMember(party, 'u3'))).toBe('404 party-not-found');
    expect(refusal(() => requireMember(undefined, 'u1'))).toBe('404 party-not-found');
    expect(refusal(() => requireLeader(party, 'u1'))).toBeUndefined();
    expect(refusal(() => requireLeader(party, 'u2'))).toBe('403 not-party-leader');
  });

  it('answer a party with usernames, members in joining order', () => {
    const names = new Map([
      ['u1', 'alice'],
      ['u2', 'bob'],
    ]);
    expect(partyView(party, 4, names)).toEqual({
      id: 'p1',
      mode: 'squad',
      leader: 'u1',
      version: 2,
      maxSize: 4,
      members: [
        { id: 'u1', username: 'alice' },
        { id: 'u2', username: 'bob' },
      ],
    });
  });
});
