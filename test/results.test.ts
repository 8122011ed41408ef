// Ratings that learn, with both services as real processes: two players matched, their game
// server reports the result, and the next tickets carry the new ratings.
import { createClient } from '@ticketbooth/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, startCluster, type Cluster } from './support/cluster.ts';

const ratingOf = (ticket: string) => (JSON.parse(Buffer.from(ticket.split('.')[2]!, 'base64url').subarray(0, -64).toString()) as { rating: number }).rating;

describe('a game server reports a result', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ resubmitMs: 300, warmupMs: 300 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('moves the winner up and the loser down once; the next tickets carry it', async () => {
    const [winner, loser] = await createPlayers(cluster, 2, 'duel');
    const request = { mode: 'duel', region: 'eu' };
    const clients = [winner!, loser!].map((p) => createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }));
    const [match] = await Promise.all([winner!, loser!].map((p, i) => clients[i]!.queue(p.session, request)));
    const team = (sub: string) => match!.teams.findIndex((t) => t.some((m) => m.sub === sub));

    const admin = { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' };
    const registered = await fetch(`${cluster.issuer.url}/v1/admin/game-servers`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'gs-e2e' }) });
    expect(registered.status).toBe(201);
    const { secret } = (await registered.json()) as { secret: string };
    const ranks = match!.teams.map((_, i) => (i === team(winner!.id) ? 1 : 2));
    const report = () =>
      fetch(`${cluster.issuer.url}/v1/results`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ match: match!.token, ranks }),
      });
    const ratings = () => Promise.all([winner!, loser!].map(async (p, i) => ratingOf((await clients[i]!.requestTicket(p.session, request)).ticket)));
    // The issuer fetches the matchmaker's keys itself (GET /v1/keys) to check the match token.
    expect((await report()).status).toBe(201);
    const [up, down] = await ratings();
    expect(up).toBeGreaterThan(1500);
    expect(down).toBeLessThan(1500);
    // A replay answers the first result and moves nobody.
    expect((await report()).status).toBe(200);
    expect(await ratings()).toEqual([up, down]);
  });
});
