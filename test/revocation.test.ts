// A ban reaches the running matchmaker through the signed feed, and survives a matchmaker crash.
import { createClient, type TicketGrant } from '@ticketbooth/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, poolSizes, startCluster, waitFor, type Cluster, type TestPlayer } from './support/cluster.ts';
import { banPlayer, submitTicket } from './support/operator.ts';

const POLL_MS = 300;
const POOL = { mode: 'squad', region: 'eu' } as const;

describe('revocation', () => {
  let cluster: Cluster;
  let players: TestPlayer[];
  let grants: TicketGrant[];
  beforeAll(async () => {
    // Long resubmit interval (entries stay 3 of them) and no matching: the pool changes only by the ban.
    cluster = await startCluster({ resubmitMs: 2_000, warmupMs: 600_000, extraMatchmakerEnv: { REVOCATION_POLL_MS: String(POLL_MS) } });
    players = await createPlayers(cluster, 3, POOL.mode);
    grants = await Promise.all(players.map((p) => createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }).requestTicket(p.session, POOL)));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('removes a banned queued player from the pool within two poll intervals and refuses their next resubmission', async () => {
    for (const grant of grants) expect((await submitTicket(cluster.matchmaker.url, grant.ticket)).status).toBe(200);
    expect(await poolSizes(cluster.matchmaker.url)).toBe(3);

    const bannedAt = Date.now();
    await banPlayer(cluster, players[0]!.id);
    const removedAfterMs = await waitFor(
      'the banned player gone from the pool',
      async () => ((await poolSizes(cluster.matchmaker.url)) === 2 ? Date.now() - bannedAt : undefined),
      5_000,
      10,
    );
    expect(removedAfterMs).toBeLessThanOrEqual(2 * POLL_MS);

    const refused = await submitTicket(cluster.matchmaker.url, grants[0]!.ticket);
    expect(refused).toEqual({ status: 403, body: expect.objectContaining({ code: 'revoked', type: '/problems/revoked' }) });
    expect((await submitTicket(cluster.matchmaker.url, grants[1]!.ticket)).status).toBe(200);
    expect(await poolSizes(cluster.matchmaker.url)).toBe(2);
  });

  it('still refuses the banned player right after a matchmaker crash and restart', async () => {
    await cluster.matchmaker.kill();
    expect((await cluster.matchmaker.exited).signal).toBe('SIGKILL');
    // startMatchmaker resolves once /readyz answers 200, which waits for the first feed poll.
    const restarted = await cluster.startMatchmaker();
    const refused = await submitTicket(restarted.url, grants[0]!.ticket);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('revoked');
    expect((await submitTicket(restarted.url, grants[1]!.ticket)).status).toBe(200);
    expect(await poolSizes(restarted.url)).toBe(1);
    const metrics = await (await fetch(`${restarted.url}/metrics`)).text();
    expect(metrics).toMatch(/^ticketbooth_matchmaker_revocations_held 1$/m);
    expect(metrics).toMatch(/^ticketbooth_matchmaker_revocation_feed_age_seconds \d/m);
  });
});
