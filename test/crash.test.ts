// SIGKILL the matchmaker with a full pool: resubmissions rebuild it and everyone is matched once.
import { createClient, type Match } from '@ticketbooth/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, poolSizes, startCluster, waitFor, type Cluster } from './support/cluster.ts';

const RESUBMIT_MS = 300;
const WARMUP_MS = 500;
const PLAYERS = 48;

describe('matchmaker crash', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // The first process never leaves warm-up, so no match can form before the crash
    // and "matched exactly once" is about the rebuild alone.
    cluster = await startCluster({ resubmitMs: RESUBMIT_MS, warmupMs: 600_000 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('rebuilds the pool within one resubmit interval plus warm-up and matches every player once', async () => {
    const players = await createPlayers(cluster, PLAYERS, 'squad', (i) => 1500 + (i % 8) * 5);
    const queued: Array<Promise<Match>> = players.map((p) =>
      createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch, backoff: { baseMs: 50, capMs: 400 } }).queue(p.session, {
        mode: 'squad',
        region: 'eu',
      }),
    );
    await waitFor('every player queued', async () => ((await poolSizes(cluster.matchmaker.url)) === PLAYERS ? true : undefined), 20_000);

    const pid = cluster.matchmaker.pid;
    await cluster.matchmaker.kill();
    expect((await cluster.matchmaker.exited).signal).toBe('SIGKILL');
    const restart = await cluster.startMatchmaker({ WARMUP_MS: String(WARMUP_MS) });
    expect(restart.pid).not.toBe(pid);
    const restartedAt = Date.now();

    const rebuiltAfterMs = await waitFor(
      'the pool rebuilt',
      async () => ((await poolSizes(restart.url)) >= PLAYERS ? Date.now() - restartedAt : undefined),
      RESUBMIT_MS + WARMUP_MS + 5_000,
      20,
    );
    expect(rebuiltAfterMs).toBeLessThanOrEqual(RESUBMIT_MS + WARMUP_MS);

    const matches = await Promise.all(queued);
    const matchOf = new Map<string, Set<string>>();
    for (const match of matches) {
      for (const player of match.teams.flat()) matchOf.set(player.sub, (matchOf.get(player.sub) ?? new Set()).add(match.id));
    }
    expect(matchOf.size).toBe(PLAYERS);
    expect([...matchOf.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(new Set(matches.map((m) => m.id)).size).toBe(PLAYERS / 8);
  });
});
