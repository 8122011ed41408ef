// The one contract every UserStore honours; sqlite-store.test.ts and postgres-store.test.ts run it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
