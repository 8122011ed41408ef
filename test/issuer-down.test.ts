// With the issuer stopped, players already queued keep resubmitting and get matched.
import { createClient } from '@ticketbooth/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, poolSizes, startCluster, waitFor, type Cluster } from './support/cluster.ts';

describe('issuer down', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // A warm-up long enough to stop the issuer while the players wait in the pool.
    cluster = await startCluster({ resubmitMs: 200, warmupMs: 3_000 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('matches queued players while the issuer is stopped', async () => {
    const players = await createPlayers(cluster, 4, 'duel');
    const queued = players.map((p) =>
      createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }).queue(p.session, { mode: 'duel', region: 'na' }),
    );
    await waitFor('players queued', async () => ((await poolSizes(cluster.matchmaker.url)) === 4 ? true : undefined), 10_000);
    await cluster.issuer.stop();
    const matches = await Promise.all(queued);
    expect(new Set(matches.map((m) => m.id)).size).toBe(2);
    expect((await fetch(`${cluster.issuer.url}/healthz`).catch(() => undefined))?.ok ?? false).toBe(false);
  });
});
