// register -> login -> ticket -> queue -> matched, across both services as real processes.
import { createClient } from '@ticketbooth/client';
import { createVerifier, keyRingFromFile, publicKeySetSchema } from '@ticketbooth/tickets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, startCluster, type Cluster } from './support/cluster.ts';

// The same flow with the fast lane on (the default) and off: both paths answer POST /v1/queue.
describe.each(['on', 'off'] as const)('login to match, full 4v4, fast lane %s', (fastLane) => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ resubmitMs: 200, warmupMs: 300, extraMatchmakerEnv: { MATCHMAKER_FAST_LANE: fastLane } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('gives all eight players the same match, whose token verifies with the published keys alone', async () => {
    const players = await createPlayers(cluster, 8, 'squad', (i) => 1480 + i * 5);
    const matches = await Promise.all(
      players.map((p) =>
        createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }).queue(p.session, { mode: 'squad', region: 'eu' }),
      ),
    );
    expect(new Set(matches.map((m) => m.id)).size).toBe(1);
    const match = matches[0]!;
    expect(match.pool).toEqual({ mode: 'squad', region: 'eu' });
    expect(match.teams).toHaveLength(2);
    expect(match.teams.every((team) => team.length === 4)).toBe(true);
    expect(match.teams.flat().map((p) => p.sub).sort()).toEqual(players.map((p) => p.id).sort());

    const published = publicKeySetSchema.parse(await (await fetch(`${cluster.matchmaker.url}/v1/keys`)).json());
    const gameServer = createVerifier({
      keys: keyRingFromFile(published),
      purpose: 'match',
      issuer: 'ticketbooth-matchmaker',
      audience: 'ticketbooth-game-server',
      maxLifetimeMs: 24 * 60 * 60_000,
    });
    const verified = gameServer.verify(match.token);
    expect(verified.claims.sub).toBe(match.id);
    expect(verified.claims.teams.flat().map((p) => p.sub).sort()).toEqual(players.map((p) => p.id).sort());

    const metrics = await (await fetch(`${cluster.matchmaker.url}/metrics`)).text();
    const laneAnswers = Number(/^ticketbooth_matchmaker_lane_answers_total (\d+)$/m.exec(metrics)?.[1]);
    // Not one per player: the eight clients share this process's connection pool, and a
    // connection that carried another route first (a push stream, a match presentation) is
    // node:http's from then on.
    if (fastLane === 'on') expect(laneAnswers).toBeGreaterThan(0);
    else expect(laneAnswers).toBe(0);
  });
});
