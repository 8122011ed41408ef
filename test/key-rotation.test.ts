// Rotating keys while players queue: the issuer's under 200 resubmitting players (nothing refused, the new
// key accepted from its first ticket), and the matchmaker's own match-signing key.
import { createClient } from '@ticketbooth/client';
import { createVerifier, keyRingFromFile, publicKeySetSchema, type PublicKeySet } from '@ticketbooth/tickets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPlayers } from './support/accounts.ts';
import { createPlayers, poolSizes, startCluster, waitFor, type Cluster } from './support/cluster.ts';
import { kidOf, runServiceCli } from './support/operator.ts';
import { rotateUnderLoad } from './support/rotation.ts';

const PLAYERS = 200;
const KEYS_REFRESH_MS = 1_000;

describe('issuer key rotation under load', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ resubmitMs: 2_000, warmupMs: 600_000, extraMatchmakerEnv: { KEYS_REFRESH_MS: String(KEYS_REFRESH_MS) } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('rotates while 200 players resubmit fresh tickets: 0 rejected, new-key tickets accepted from the first', { timeout: 120_000 }, async () => {
    // The accounts are written into the issuer's store with a cheap hash rather than registered over HTTP:
    // 200 OWASP-cost argon2id hashes are slow on a loaded CPU, and this test is about the rotation, not
    // registration. Everything from login on goes through the running issuer and matchmaker.
    const run = await rotateUnderLoad(cluster, {
      players: PLAYERS,
      accounts: seedPlayers,
      mode: 'squad',
      region: 'eu',
      roundMs: 250,
      keysRefreshMs: KEYS_REFRESH_MS,
      maxAfterMs: 15_000,
    });
    console.log(`key rotation: ${run.submissions.length} submissions, ${run.busyRetries} sent again after 503 busy`);
    expect(run.newKid).not.toBe(run.oldKid);
    expect(run.ticketErrors).toEqual([]);
    expect(run.submissions.filter((s) => s.answer.status !== 200).map((s) => s.answer)).toEqual([]);
    expect(run.submissions.filter((s) => s.kid === run.oldKid && s.at < run.activatedAt).length).toBeGreaterThanOrEqual(PLAYERS);
    const newKey = run.submissions.filter((s) => s.kid === run.newKid);
    expect(new Set(newKey.map((s) => s.player)).size).toBe(PLAYERS);
    expect(newKey[0]!.answer).toMatchObject({ status: 200, body: { status: 'searching' } });
    expect(await poolSizes(cluster.matchmaker.url)).toBe(PLAYERS);
  });
});

describe('matchmaker match-key rotation', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ resubmitMs: 300, warmupMs: 300, extraMatchmakerEnv: { MATCHMAKER_KEY_POLL_MS: '200' } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('publishes the next key first, then signs matches with it; game servers verify with the published set', async () => {
    const published = async (): Promise<PublicKeySet> =>
      publicKeySetSchema.parse(await (await fetch(`${cluster.matchmaker.url}/v1/keys`)).json());
    const [first] = (await published()).keys;
    expect(await runServiceCli(cluster, 'matchmaker', ['keys', 'rotate'])).toMatch(/^published k4\.pid\./);
    // No signal: the running matchmaker notices the changed file by itself.
    const rotated = await waitFor('the next key published', async () => ((await published()).keys.length === 2 ? published() : undefined), 5_000);
    const next = rotated.keys.find((k) => k.kid !== first!.kid)!;

    expect(await runServiceCli(cluster, 'matchmaker', ['keys', 'activate'])).toContain(`signing with ${next.kid}`);
    await waitFor('the old key retiring', async () => ((await published()).keys.find((k) => k.kid === first!.kid)?.notAfter ? true : undefined), 5_000);
    const players = await createPlayers(cluster, 2, 'duel');
    const [match] = await Promise.all(
      players.map((p) => createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }).queue(p.session, { mode: 'duel', region: 'eu' })),
    );
    expect(kidOf(match!.token)).toBe(next.kid);
    // A game server that fetched the set after "rotate" (before "activate") already knows the new key.
    const gameServer = createVerifier({
      keys: keyRingFromFile(rotated),
      purpose: 'match',
      issuer: 'ticketbooth-matchmaker',
      audience: 'ticketbooth-game-server',
      maxLifetimeMs: 24 * 60 * 60_000,
    });
    expect(gameServer.verify(match!.token).claims.sub).toBe(match!.id);
  });
});
