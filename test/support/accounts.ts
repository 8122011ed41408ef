// Accounts written straight into the issuer's store with a cheap argon2id hash, for tests that need many
// players but are not about registration: registering over HTTP costs one OWASP-strength hash per player,
// which on a loaded CPU takes longer than the flow under test.
import { randomBytes, randomUUID } from 'node:crypto';
import { createClient } from '@ticketbooth/client';
import { loadIssuerConfig } from '@ticketbooth/issuer/config';
import { REPO_ROOT } from '@ticketbooth/tools';
import { newPassword, newUsername } from '../../apps/issuer/src/credentials.ts';
import { openStore } from '../../apps/issuer/src/open-store.ts';
import { createPasswordHasher } from '../../apps/issuer/src/passwords.ts';
import { CHEAP_ARGON2ID } from '../../apps/issuer/src/testing.ts';
import { fetchFrom, type Cluster, type TestPlayer } from './cluster.ts';

const PASSWORD = 'a-long-enough-password';

/**
 * Creates `count` accounts (rated `rating(i)` in `mode`) in the store the running issuer uses, as the
 * issuer's CLI would open it, then logs each player in over HTTP. One cheap hash serves every account:
 * logins verify against the parameters stored in the hash, so they stay cheap too.
 */
export async function seedPlayers(
  cluster: Cluster,
  count: number,
  mode: string,
  rating: (i: number) => number = () => 1500,
): Promise<TestPlayer[]> {
  const config = loadIssuerConfig({ ...process.env, TICKETBOOTH_HOME: cluster.home }, `${REPO_ROOT}apps/issuer`);
  const password = newPassword.parse(PASSWORD);
  const passwordHash = await createPasswordHasher(CHEAP_ARGON2ID).hash(password);
  const run = randomBytes(3).toString('hex');
  const store = await openStore(config.database);
  const accounts: Array<{ username: string; id: string }> = [];
  try {
    for (let i = 0; i < count; i++) {
      const now = Date.now();
      const user = await store.createUser({ id: randomUUID(), username: newUsername.parse(`p${run}-${i}`), passwordHash, createdAt: now });
      if (!(await store.setRating(user.id, mode, rating(i), now))) throw new Error(`rating not set for ${user.username}`);
      accounts.push({ username: user.username, id: user.id });
    }
  } finally {
    await store.close();
  }
  return Promise.all(
    accounts.map(async ({ username, id }, i) => {
      const playerFetch = fetchFrom(`10.0.${i >> 8}.${i & 255}`);
      const session = await createClient({ issuerUrl: cluster.issuer.url, fetch: playerFetch }).login(username, PASSWORD);
      return { username, id, session, fetch: playerFetch };
    }),
  );
}
