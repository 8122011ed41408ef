// The one contract every UserStore honours; sqlite-store.test.ts and postgres-store.test.ts run it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyInPartyError } from './party-store.ts';
import { NameTakenError, UnknownPlayerError } from './result-store.ts';
import { UsernameTakenError, type NewUser, type UserStore } from './user-store.ts';

export interface StoreHarness {
  /** Opens the same database each call (migrations must be idempotent). */
  open(): Promise<UserStore>;
  /** Drops everything the run created. */
  destroy(): Promise<void>;
}

const T0 = Date.parse('2030-01-01T00:00:00Z');
let counter = 0;

function newUser(username: string): NewUser {
  counter += 1;
  return { id: `user-${counter}-${username}`, username, passwordHash: `$argon2id$fake$${counter}`, createdAt: T0 + counter };
}

export function describeUserStoreContract(name: string, harness: () => Promise<StoreHarness>): void {
  describe(`UserStore contract: ${name}`, () => {
    let h: StoreHarness;
    let store: UserStore;

    beforeAll(async () => {
      h = await harness();
      store = await h.open();
    });
    afterAll(async () => {
      await store?.close();
      await h?.destroy();
    });

    it('creates a user and finds it by id and by username in any case', async () => {
      const created = await store.createUser(newUser('alice'));
      expect(created).toMatchObject({ username: 'alice', sessionEpoch: 0, banned: false, banReason: null });
      expect(await store.findUserById(created.id)).toEqual(created);
      expect(await store.findUserByUsername('ALICE')).toEqual(created);
      expect(await store.findUserByUsername('nobody')).toBeUndefined();
      expect(await store.findUserById('no-such-id')).toBeUndefined();
    });

    it('refuses a username taken in another case', async () => {
      await store.createUser(newUser('bob'));
      await expect(store.createUser(newUser('BoB'))).rejects.toBeInstanceOf(UsernameTakenError);
    });

    it('lets exactly one of two concurrent registrations of a name win', async () => {
      const results = await Promise.allSettled([store.createUser(newUser('carol')), store.createUser(newUser('Carol'))]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected');
      expect(failed?.reason).toBeInstanceOf(UsernameTakenError);
    });

    it('bumps the session epoch on logout-everywhere and password change', async () => {
      const user = await store.createUser(newUser('dave'));
      expect(await store.bumpSessionEpoch(user.id)).toBe(1);
      expect(await store.changePassword(user.id, '$argon2id$new')).toBe(2);
      expect(await store.findUserById(user.id)).toMatchObject({ sessionEpoch: 2, passwordHash: '$argon2id$new' });
      expect(await store.bumpSessionEpoch('no-such-id')).toBeUndefined();
      expect(await store.changePassword('no-such-id', 'x')).toBeUndefined();
    });

    it('bans: flag, reason, epoch bump and a revocation in one step; unban keeps the epoch', async () => {
      const user = await store.createUser(newUser('eve'));
      const banned = await store.banUser(user.id, 'cheating', T0 + 5_000);
      expect(banned).toMatchObject({ id: user.id, banned: true, banReason: 'cheating', sessionEpoch: 1 });
      expect(await store.listRevocations(T0 + 5_000, 100)).toContainEqual({ sub: user.id, notBefore: T0 + 5_000, reason: 'ban: cheating' });
      const unbanned = await store.unbanUser(user.id);
      expect(unbanned).toMatchObject({ banned: false, banReason: null, sessionEpoch: 1 });
      expect(await store.banUser('no-such-id', 'x', T0)).toBeUndefined();
      expect(await store.unbanUser('no-such-id')).toBeUndefined();
    });

    it('keeps ratings per user and mode', async () => {
      const user = await store.createUser(newUser('frank'));
      expect(await store.getRating(user.id, 'duel')).toBeUndefined();
      expect(await store.setRating(user.id, 'duel', 1612.5, T0)).toBe(true);
      expect(await store.setRating(user.id, 'squad', 1400, T0)).toBe(true);
      expect(await store.setRating(user.id, 'duel', 1700, T0 + 1)).toBe(true);
      expect(await store.getRating(user.id, 'duel')).toBe(1700);
      expect(await store.getRating(user.id, 'squad')).toBe(1400);
      expect(await store.setRating('no-such-id', 'duel', 1, T0)).toBe(false);
    });

    it('reads a user with their rating in one mode', async () => {
      const user = await store.createUser(newUser('fiona'));
      expect(await store.findUserWithRating(user.id, 'duel')).toEqual({ user, rating: undefined });
      await store.setRating(user.id, 'duel', 1612.5, T0);
      await store.setRating(user.id, 'squad', 1400, T0);
      expect(await store.findUserWithRating(user.id, 'duel')).toEqual({ user, rating: 1612.5 });
      expect(await store.findUserWithRating(user.id, 'solo')).toEqual({ user, rating: undefined });
      const banned = await store.banUser(user.id, 'cheating', T0);
      expect(await store.findUserWithRating(user.id, 'squad')).toEqual({ user: banned, rating: 1400 });
      expect(await store.findUserWithRating('no-such-id', 'duel')).toBeUndefined();
    });

    it('answers reads of users with ratings asked at once, each with its own', async () => {
      const users = await Promise.all(['gail', 'gus', 'gwen'].map((name) => store.createUser(newUser(name))));
      await store.setRating(users[0]!.id, 'duel', 1510, T0);
      await store.setRating(users[1]!.id, 'squad', 1320, T0);
      const banned = await store.banUser(users[2]!.id, 'smurfing', T0);
      const asked: [string, string][] = [
        [users[0]!.id, 'duel'],
        [users[1]!.id, 'duel'],
        ['no-such-id', 'duel'],
        [users[1]!.id, 'squad'],
        [users[2]!.id, 'squad'],
        [users[0]!.id, 'duel'],
      ];
      expect(await Promise.all(asked.map(([id, mode]) => store.findUserWithRating(id, mode)))).toEqual([
        { user: users[0], rating: 1510 },
        { user: users[1], rating: undefined },
        undefined,
        { user: users[1], rating: 1320 },
        { user: banned, rating: undefined },
        { user: users[0], rating: 1510 },
      ]);
      // A key the database refuses (PostgreSQL will not take a NUL in text) fails at most itself.
      const [good, odd] = await Promise.allSettled([store.findUserWithRating(users[0]!.id, 'duel'), store.findUserWithRating(users[1]!.id, 'du\u0000el')]);
      expect(good).toEqual({ status: 'fulfilled', value: { user: users[0], rating: 1510 } });
      if (odd.status === 'fulfilled') expect(odd.value).toEqual({ user: users[1], rating: undefined });
    });

    it('lists revocations from a time on, oldest first, bounded', async () => {
      const base = T0 + 1_000_000;
      const users = await Promise.all(['gina', 'hank', 'ivan'].map((n) => store.createUser(newUser(n))));
      await store.banUser(users[2]!.id, 'c', base + 30);
      await store.banUser(users[0]!.id, 'a', base + 10);
      await store.banUser(users[1]!.id, 'b', base + 20);
      const since = await store.listRevocations(base + 15, 100);
      expect(since.map((r) => r.notBefore)).toEqual([base + 20, base + 30]);
      expect((await store.listRevocations(base, 2)).map((r) => r.sub)).toEqual([users[0]!.id, users[1]!.id]);
    });

    describe('parties', () => {
      const users = (...names: string[]) => Promise.all(names.map((n) => store.createUser(newUser(n))));
      let partyCount = 0;
      const newPartyId = () => `party-${(partyCount += 1)}`;

      it('creates a party led by its one member, found by id and by member', async () => {
        const [leader] = await users('p-lead-1');
        const party = await store.createParty({ id: newPartyId(), mode: 'squad', leaderId: leader!.id, at: T0 + 10 });
        expect(party).toEqual({
          id: party.id,
          mode: 'squad',
          leaderId: leader!.id,
          version: 1,
          changedAt: T0 + 10,
          createdAt: T0 + 10,
          members: [{ userId: leader!.id, joinedAt: T0 + 10 }],
        });
        expect(await store.getParty(party.id)).toEqual(party);
        expect(await store.partyOf(leader!.id)).toEqual(party);
        expect(await store.getParty('no-such-party')).toBeUndefined();
        expect(await store.partyOf('no-such-id')).toBeUndefined();
      });

      it('refuses a second party for a player in one, and creates nothing', async () => {
        const [leader, other] = await users('p-lead-2', 'p-lead-2b');
        const first = await store.createParty({ id: newPartyId(), mode: 'squad', leaderId: leader!.id, at: T0 });
        const joined = await store.createParty({ id: newPartyId(), mode: 'squad', leaderId: other!.id, at: T0 });
        expect(await store.joinParty(joined.id, leader!.id, T0, 4)).toBe('already-in-party');
        for (const leaderId of [leader!.id, other!.id]) {
          const id = newPartyId();
          await expect(store.createParty({ id, mode: 'duel', leaderId, at: T0 + 1 })).rejects.toBeInstanceOf(AlreadyInPartyError);
          expect(await store.getParty(id)).toBeUndefined();
        }
        expect(await store.getParty(first.id)).toEqual(first);
        expect(await store.getParty(joined.id)).toEqual(joined);
      });

      it('joins in order up to the size given, moving the version on each change; refusals change nothing', async () => {
        const [leader, b, c, d] = await users('p-lead-3', 'p-b-3', 'p-c-3', 'p-d-3');
        const { id } = await store.createParty({ id: newPartyId(), mode: 'squad', leaderId: leader!.id, at: T0 });
        expect(await store.joinParty(id, c!.id, T0 + 5, 3)).toBe('joined');
        expect(await store.joinParty(id, b!.id, T0 + 5, 3)).toBe('joined');
        const full = await store.getParty(id);
        expect(full).toMatchObject({ version: 3, changedAt: T0 + 5, createdAt: T0 });
        expect(full!.members).toEqual([
          { userId: leader!.id, joinedAt: T0 },
          { userId: c!.id, joinedAt: T0 + 5 },
          { userId: b!.id, joinedAt: T0 + 5 },
        ]);
        expect(await store.joinParty(id, d!.id, T0 + 6, 3)).toBe('full');
        expect(await store.joinParty(id, b!.id, T0 + 6, 4)).toBe('already-in-party');
        expect(await store.joinParty('no-such-party', d!.id, T0 + 6, 4)).toBe('not-found');
        expect(await store.getParty(id)).toEqual(full);
        expect(await store.partyOf(d!.id)).toBeUndefined();
      });

      it('lets members leave; the leader leaving disbands the party with its members', async () => {
        const [leader, b, c, outsider] = await users('p-lead-4', 'p-b-4', 'p-c-4', 'p-out-4');
        const { id } = await store.createParty({ id: newPartyId(), mode: 'squad', leaderId: leader!.id, at: T0 });
        await store.joinParty(id, b!.id, T0 + 1, 4);
        await store.joinParty(id, c!.id, T0 + 2, 4);
        expect(await store.leaveParty(id, b!.id, T0 + 3)).toBe('left');
        expect(await store.getParty(id)).toMatchObject({ version: 4, changedAt: T0 + 3, members: [{ userId: leader!.id }, { userId: c!.id }] });
        expect(await store.leaveParty(id, b!.id, T0 + 4)).toBe('not-a-member');
        expect(await store.leaveParty(id, outsider!.id, T0 + 4)).toBe('not-a-member');
        expect(await store.getParty(id)).toMatchObject({ version: 4, changedAt: T0 + 3 });
        expect(await store.leaveParty(id, leader!.id, T0 + 5)).toBe('disbanded');
        expect(await store.getParty(id)).toBeUndefined();
        expect(await store.partyOf(c!.id)).toBeUndefined();
        expect(await store.leaveParty(id, c!.id, T0 + 6)).toBe('not-found');
        // Free again: in at most one party means they may now join or lead another.
        expect(await store.createParty({ id: newPartyId(), mode: 'duel', leaderId: c!.id, at: T0 + 7 })).toMatchObject({ leaderId: c!.id });
      });

      it('disbands a party with its members, once', async () => {
        const [leader, b] = await users('p-lead-5', 'p-b-5');
        const { id } = await store.createParty({ id: newPartyId(), mode: 'squad', leaderId: leader!.id, at: T0 });
        await store.joinParty(id, b!.id, T0 + 1, 4);
        expect(await store.disbandParty(id)).toBe(true);
        expect(await store.disbandParty(id)).toBe(false);
        expect(await store.getParty(id)).toBeUndefined();
        expect(await store.partyOf(b!.id)).toBeUndefined();
        expect(await store.partyOf(leader!.id)).toBeUndefined();
      });

      it('lets exactly one of concurrent joins, over two connections, take the last place', async () => {
        const [leader, b, ...racers] = await users('p-lead-6', 'p-b-6', 'p-r1-6', 'p-r2-6', 'p-r3-6', 'p-r4-6');
        const { id } = await store.createParty({ id: newPartyId(), mode: 'squad', leaderId: leader!.id, at: T0 });
        await store.joinParty(id, b!.id, T0, 3);
        const other = await h.open();
        try {
          const outcomes = await Promise.all(racers.map((r, i) => (i % 2 === 0 ? store : other).joinParty(id, r.id, T0 + 1, 3)));
          expect(outcomes.filter((o) => o === 'joined')).toHaveLength(1);
          expect(outcomes.filter((o) => o === 'full')).toHaveLength(3);
          const party = await store.getParty(id);
          expect(party).toMatchObject({ version: 3 });
          expect(party!.members).toHaveLength(3);
          expect(party!.members[2]!.userId).toBe(racers[outcomes.indexOf('joined')]!.id);
        } finally {
          await other.close();
        }
      });

      it('lets a player racing into two parties over two connections end up in exactly one', async () => {
        const [a, b, player] = await users('p-lead-7a', 'p-lead-7b', 'p-racer-7');
        const first = await store.createParty({ id: newPartyId(), mode: 'squad', leaderId: a!.id, at: T0 });
        const second = await store.createParty({ id: newPartyId(), mode: 'squad', leaderId: b!.id, at: T0 });
        const other = await h.open();
        try {
          const outcomes = await Promise.all([store.joinParty(first.id, player!.id, T0 + 1, 4), other.joinParty(second.id, player!.id, T0 + 1, 4)]);
          expect([...outcomes].sort()).toEqual(['already-in-party', 'joined']);
          const sizes = [(await store.getParty(first.id))!.members.length, (await store.getParty(second.id))!.members.length];
          expect(sizes.sort()).toEqual([1, 2]);
        } finally {
          await other.close();
        }
      });
    });

    describe('game servers and results', () => {
      const fresh = { mu: 1500, sigma: 500 };
      const result = (matchId: string, digest = 'd1', gameServerId = 'gs-1') => ({ matchId, gameServerId, mode: 'duel', digest, outcome: '{"ranks":[1,2]}', reportedAt: T0 });
      // Each result moves every member up by 10 and narrows sigma by 1: easy to count.
      const bump = (skills: readonly { mu: number; sigma: number }[]) => skills.map((s) => ({ mu: s.mu + 10, sigma: s.sigma - 1 }));

      it('registers game servers by unique name, finds one by its credential digest, revokes by id or name once', async () => {
        const gs = await store.addGameServer({ id: 'gs-1', name: 'eu-west-1', secretDigest: 'a'.repeat(64), at: T0 });
        expect(gs).toEqual({ id: 'gs-1', name: 'eu-west-1', createdAt: T0, revokedAt: null });
        await store.addGameServer({ id: 'gs-2', name: 'eu-west-2', secretDigest: 'b'.repeat(64), at: T0 + 1 });
        await expect(store.addGameServer({ id: 'gs-3', name: 'eu-west-1', secretDigest: 'c'.repeat(64), at: T0 })).rejects.toBeInstanceOf(NameTakenError);
        expect(await store.gameServerBySecret('a'.repeat(64))).toEqual(gs);
        expect(await store.gameServerBySecret('c'.repeat(64))).toBeUndefined();
        expect((await store.listGameServers()).map((g) => g.name)).toEqual(['eu-west-1', 'eu-west-2']);
        expect(await store.revokeGameServer('eu-west-2', T0 + 5)).toMatchObject({ id: 'gs-2', revokedAt: T0 + 5 });
        expect(await store.revokeGameServer('gs-2', T0 + 9)).toMatchObject({ revokedAt: T0 + 5 });
        expect(await store.revokeGameServer('nobody', T0)).toBeUndefined();
        expect(await store.gameServerBySecret('b'.repeat(64))).toMatchObject({ revokedAt: T0 + 5 });
        // A name that is another server's id: revoking by that string revokes the server with that id only.
        await store.addGameServer({ id: 'gs-4', name: 'gs-5', secretDigest: 'd'.repeat(64), at: T0 });
        await store.addGameServer({ id: 'gs-5', name: 'other', secretDigest: 'e'.repeat(64), at: T0 });
        expect(await store.revokeGameServer('gs-5', T0 + 7)).toMatchObject({ id: 'gs-5', revokedAt: T0 + 7 });
        expect(await store.gameServerBySecret('d'.repeat(64))).toMatchObject({ id: 'gs-4', revokedAt: null });
      });

      it('records a result once with the skills it moves; a second report of the match changes nothing and answers the first', async () => {
        const [a, b] = [await store.createUser(newUser('res-a')), await store.createUser(newUser('res-b'))];
        await store.setRating(b.id, 'duel', 1600, T0);
        expect(await store.skillsOf([a.id, b.id], 'duel', fresh)).toEqual([fresh, { mu: 1600, sigma: 500 }]);
        expect(await store.recordResult(result('m-1'), [a.id, b.id], fresh, bump)).toEqual({ recorded: true, result: result('m-1') });
        expect(await store.skillsOf([a.id, b.id], 'duel', fresh)).toEqual([{ mu: 1510, sigma: 499 }, { mu: 1610, sigma: 499 }]);
        // Tickets carry the new mu.
        expect(await store.findUserWithRating(a.id, 'duel')).toMatchObject({ rating: 1510 });
        const again = await store.recordResult(result('m-1', 'd2'), [a.id, b.id], fresh, bump);
        expect(again).toEqual({ recorded: false, result: result('m-1') });
        expect(await store.skillsOf([a.id, b.id], 'duel', fresh)).toEqual([{ mu: 1510, sigma: 499 }, { mu: 1610, sigma: 499 }]);
        // The admin override still moves mu, and keeps sigma.
        await store.setRating(a.id, 'duel', 1400, T0 + 1);
        expect(await store.skillsOf([a.id], 'duel', fresh)).toEqual([{ mu: 1400, sigma: 499 }]);
      });

      it('refuses a result naming a player who is not a user, recording nothing', async () => {
        const known = await store.createUser(newUser('res-f'));
        await expect(store.recordResult(result('m-9'), [known.id, 'no-such-user'], fresh, bump)).rejects.toBeInstanceOf(UnknownPlayerError);
        expect(await store.skillsOf([known.id], 'duel', fresh)).toEqual([fresh]);
        const other = await store.createUser(newUser('res-g'));
        expect(await store.recordResult(result('m-9'), [known.id, other.id], fresh, bump)).toMatchObject({ recorded: true });
      });

      it('applies concurrent results over two connections one after the other: none lost, a match recorded once', async () => {
        const players = await Promise.all(['res-c', 'res-d', 'res-e'].map((n) => store.createUser(newUser(n))));
        const [c, d, e] = players.map((p) => p.id) as [string, string, string];
        const other = await h.open();
        try {
          const outcomes = await Promise.all([
            store.recordResult(result('m-2'), [c, d], fresh, bump),
            other.recordResult(result('m-3'), [d, e], fresh, bump),
            other.recordResult(result('m-2', 'd3'), [c, d], fresh, bump),
            store.recordResult(result('m-4'), [e, c], fresh, bump),
          ]);
          expect(outcomes.filter((o) => o.result.matchId === 'm-2' && o.recorded)).toHaveLength(1);
          // Each of c, d, e is in two of the recorded matches m-2, m-3, m-4.
          expect(await store.skillsOf([c, d, e], 'duel', fresh)).toEqual([1, 2, 3].map(() => ({ mu: 1520, sigma: 498 })));
        } finally {
          await other.close();
        }
      });
    });

    it('reopens the same database without re-applying migrations, data intact', async () => {
      const user = await store.createUser(newUser('judy'));
      const again = await h.open();
      try {
        expect(await again.findUserByUsername('judy')).toEqual(user);
        await again.ping();
      } finally {
        await again.close();
      }
    });
  });
}
