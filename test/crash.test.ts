// SIGKILL the matchmaker with a full pool: resubmissions rebuild it and everyone is matched once.
import { createClient, type Match } from '@ticketbooth/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, startCluster, waitFor, type Cluster } from './support/cluster.ts';

const RESUBMIT_MS = 300;
const WARMUP_MS = 500;
const PLAYERS = 48;
const MATCH_SIZE = 8;

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

  it('rebuilds the pool from resubmissions after a SIGKILL and matches every player exactly once', async () => {
    const players = await createPlayers(cluster, PLAYERS, 'squad', (i) => 1500 + (i % 8) * 5);
    const queued: Array<Promise<Match>> = players.map((p) =>
      createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch, backoff: { baseMs: 50, capMs: 400 } }).queue(p.session, {
        mode: 'squad',
        region: 'eu',
      }),
    );
    await waitFor('every player queued', async () => ((await squadPool(cluster.matchmaker.url)).players === PLAYERS ? true : undefined), 20_000);
    expect((await poolsOf(cluster.matchmaker.url)).warmingUp).toBe(true);
    expect((await squadPool(cluster.matchmaker.url)).matchesFormed).toBe(0);

    const pid = cluster.matchmaker.pid;
    await cluster.matchmaker.kill();
    expect((await cluster.matchmaker.exited).signal).toBe('SIGKILL');
    const restart = await cluster.startMatchmaker({ WARMUP_MS: String(WARMUP_MS) });
    expect(restart.pid).not.toBe(pid);

    // The restarted process starts with an empty memory: every player it holds came back through a
    // resubmission. A player leaves the pool only into a match, so held = in the pool + in its matches.
    // The deadline only bounds a failing run; how fast the rebuild is belongs to the benchmarks.
    await waitFor(
      'the restarted matchmaker holding every player again',
      async () => {
        const pool = await squadPool(restart.url);
        return pool.players + pool.matchesFormed * MATCH_SIZE === PLAYERS ? true : undefined;
      },
      30_000,
    );

    const matches = await Promise.all(queued);
    const matchOf = new Map<string, Set<string>>();
    for (const match of matches) {
      for (const player of match.teams.flat()) matchOf.set(player.sub, (matchOf.get(player.sub) ?? new Set()).add(match.id));
    }
    expect([...matchOf.keys()].sort()).toEqual(players.map((p) => p.id).sort());
    expect([...matchOf.entries()].filter(([, ids]) => ids.size !== 1)).toEqual([]);
    expect(new Set(matches.map((m) => m.id)).size).toBe(PLAYERS / MATCH_SIZE);
    // Every match came from the restarted process, and it formed no other.
    expect(await squadPool(restart.url)).toMatchObject({ players: 0, matchesFormed: PLAYERS / MATCH_SIZE });
  });
});

interface PoolsBody {
  readonly warmingUp: boolean;
  readonly pools: ReadonlyArray<{ pool: string; players: number; matchesFormed: number }>;
}

async function poolsOf(matchmakerUrl: string): Promise<PoolsBody> {
  return (await (await fetch(`${matchmakerUrl}/v1/pools`)).json()) as PoolsBody;
}

async function squadPool(matchmakerUrl: string): Promise<PoolsBody['pools'][number]> {
  const pool = (await poolsOf(matchmakerUrl)).pools.find((p) => p.pool === 'squad/eu');
  if (pool === undefined) throw new Error('the matchmaker does not serve squad/eu');
  return pool;
}
