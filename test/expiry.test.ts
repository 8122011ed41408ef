// A ticket's exp is its one deadline: after it, every resubmission is refused and the player
// leaves the pool for good, on real processes with a short ticket lifetime.
import { createClient } from '@ticketbooth/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, poolSizes, startCluster, type Cluster } from './support/cluster.ts';
import { submitTicket, type QueueCall } from './support/operator.ts';

const INTERVAL_MS = 1_000;
const TTL_MS = 4_000;

describe('ticket expiry', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // No matching (a long warm-up): the pool changes only by expiry.
    cluster = await startCluster({ resubmitMs: INTERVAL_MS, warmupMs: 600_000, ticketTtlMs: TTL_MS });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('refuses a ticket resubmitted past exp every time and never re-admits its player', async () => {
    const [player] = await createPlayers(cluster, 1, 'squad');
    const grant = await createClient({ issuerUrl: cluster.issuer.url, fetch: player!.fetch }).requestTicket(player!.session, { mode: 'squad', region: 'eu' });
    const exp = Date.parse(grant.expiresAt);
    const calls: Array<{ sentAt: number; doneAt: number; call: QueueCall; players: number }> = [];
    // Faster than the interval, so a re-admission between two ticks could not hide.
    while (Date.now() < exp + 2 * INTERVAL_MS + 500) {
      const sentAt = Date.now();
      const call = await submitTicket(cluster.matchmaker.url, grant.ticket);
      const players = await poolSizes(cluster.matchmaker.url);
      calls.push({ sentAt, doneAt: Date.now(), call, players });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const before = calls.filter((c) => c.doneAt < exp);
    const after = calls.filter((c) => c.sentAt >= exp);
    expect(before.length).toBeGreaterThan(5);
    expect(after.length).toBeGreaterThan(5);
    for (const { call } of before) expect(call).toMatchObject({ status: 200, body: { status: 'searching' } });
    for (const { call } of after) expect(call).toMatchObject({ status: 401, body: { code: 'expired' } });
    // The pool drops the player by the first tick after exp (ticks are one interval apart) and
    // never takes them back.
    const outAt = after.find((c) => c.players === 0)?.sentAt;
    expect(outAt).toBeDefined();
    expect(outAt! - exp).toBeLessThanOrEqual(INTERVAL_MS + 200);
    expect(after.filter((c) => c.sentAt >= outAt!).map((c) => c.players)).toEqual(after.filter((c) => c.sentAt >= outAt!).map(() => 0));
  });
});
