// SIGKILL the matchmaker after a match formed but before most of its members heard of it: the
// member who has it keeps presenting it (the SDK does), the restarted process rebuilds it from
// the token, and every other member gets that same match, not a second one.
import { createClient } from '@ticketbooth/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, poolSizes, startCluster, waitFor, type Cluster } from './support/cluster.ts';
import { submitTicket } from './support/operator.ts';

const RESUBMIT_MS = 300;
const SQUAD = 8;

describe('matchmaker crash between forming a match and delivering it', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // The silent players must still be queued when the match forms, on a loaded machine too.
    cluster = await startCluster({ resubmitMs: RESUBMIT_MS, warmupMs: 500, extraMatchmakerEnv: { STALE_AFTER_MS: '5000' } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('gives every member the match one of them held, after the restart, and matches nobody again', async () => {
    const players = await createPlayers(cluster, SQUAD, 'squad');
    const clients = players.map((p) => createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch, backoff: { baseMs: 50, capMs: 400 } }));
    // Seven players queue with one submission each and then stay silent, as if asleep between two.
    const silent = await Promise.all(players.slice(1).map((p, i) => clients[i + 1]!.requestTicket(p.session, { mode: 'squad', region: 'eu' })));
    for (const grant of silent) expect((await submitTicket(cluster.matchmaker.url, grant.ticket)).body).toMatchObject({ status: 'searching' });
    // The eighth runs the SDK: it is matched, and keeps presenting the match.
    const held = await clients[0]!.queue(players[0]!.session, { mode: 'squad', region: 'eu' }, { push: false });
    expect(held.teams.flat()).toHaveLength(SQUAD);

    await cluster.matchmaker.kill();
    expect((await cluster.matchmaker.exited).signal).toBe('SIGKILL');
    // The default warm-up: one interval plus its jitter, so every holder presents before matching starts.
    const restart = await cluster.startMatchmaker({ WARMUP_MS: '' });

    // The silent players resubmit as clients do; each must be answered with the held match.
    const answers = await Promise.all(
      silent.map((grant) =>
        waitFor(
          'the held match',
          async () => {
            const call = await submitTicket(restart.url, grant.ticket);
            return (call.body as { status?: string }).status === 'ready' ? (call.body as { match: { id: string } }).match.id : undefined;
          },
          10_000,
          RESUBMIT_MS,
        ),
      ),
    );
    expect(answers).toEqual(silent.map(() => held.id));

    // Past the warm-up and several ticks, the silent players resubmitting as clients do (a
    // matchmaker silent for two intervals starts its warm-up again: it may be a standby taking
    // over): still that match, nobody in the pool, no match formed.
    for (let waited = 0; waited < 2_000; waited += RESUBMIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, RESUBMIT_MS));
      await Promise.all(silent.map((grant) => submitTicket(restart.url, grant.ticket)));
    }
    for (const grant of silent) expect((await submitTicket(restart.url, grant.ticket)).body).toMatchObject({ status: 'ready', match: { id: held.id } });
    expect(await poolSizes(restart.url)).toBe(0);
    const pools = (await (await fetch(`${restart.url}/v1/pools`)).json()) as { warmingUp: boolean; pools: Array<{ matchesFormed: number }> };
    expect(pools.warmingUp).toBe(false);
    expect(pools.pools.reduce((sum, p) => sum + p.matchesFormed, 0)).toBe(0);
    const metrics = await (await fetch(`${restart.url}/metrics`)).text();
    expect(metrics).toMatch(/^ticketbooth_matchmaker_match_reannouncements_total\{outcome="rebuilt"\} 1$/m);
    clients[0]!.settle(held.id);
  });
});
