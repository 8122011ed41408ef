// Mode rules end to end, real processes on examples/rules.json: a latency mode queues players of
// every home region in one pool and places the match where its worst latency is lowest; builds
// never meet; the SDK's explain says why a lone player waits.
import { readFileSync } from 'node:fs';
import { createClient, type TicketboothClient } from '@ticketbooth/client';
import { REPO_ROOT } from '@ticketbooth/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, startCluster, type Cluster, type TestPlayer } from './support/cluster.ts';

const RULES = JSON.parse(readFileSync(`${REPO_ROOT}examples/rules.json`, 'utf8')) as Record<string, unknown>;

describe('mode rules, end to end (examples/rules.json)', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ resubmitMs: 300, warmupMs: 500, sharedConfig: RULES });
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  const clientOf = (player: TestPlayer): TicketboothClient => createClient({ issuerUrl: cluster.issuer.url, fetch: player.fetch });

  it('matches 8 squad players from two home regions in one pool, in the region with the lowest worst latency', async () => {
    const players = await createPlayers(cluster, 8, 'squad', (i) => 1500 + i * 3);
    const attributes = { build: '1.5.0', crossplay: ['pc', 'any'] };
    // Four in eu, four in na; eu-na is 70-80 ms. Worst latency: eu 80, na 75, so na.
    const latencies = (i: number) => (i < 4 ? { eu: 20, na: 70 + i, sa: 190, asia: 160 } : { eu: 80, na: 15, sa: 120, asia: 150 });
    const matches = await Promise.all(
      players.map((p, i) =>
        clientOf(p).queue(p.session, { mode: 'squad', region: i < 4 ? 'eu' : 'na', latencies: latencies(i), attributes }, { push: false, signal: AbortSignal.timeout(30_000) }),
      ),
    );
    expect(new Set(matches.map((m) => m.id)).size).toBe(1);
    expect(matches[0]!.pool).toEqual({ mode: 'squad', region: 'na' });
    expect(matches[0]!.teams.flat()).toHaveLength(8);
  });

  it('keeps builds apart and says why in explain; the same build matches', async () => {
    const [old, fresh, another] = await createPlayers(cluster, 3, 'duel');
    const request = (build: string) => ({ mode: 'duel', region: 'eu', attributes: { build, crossplay: ['pc', 'any'] } });
    const oldGrant = await clientOf(old!).requestTicket(old!.session, request('1.4.2'));
    expect((await clientOf(old!).submit(oldGrant)).status).toBe('searching');
    const freshGrant = await clientOf(fresh!).requestTicket(fresh!.session, request('1.5.0'));
    expect((await clientOf(fresh!).submit(freshGrant)).status).toBe('searching');
    // Both keep resubmitting (an entry not resubmitted for three intervals is dropped) over several ticks.
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await clientOf(old!).submit(oldGrant)).status).toBe('searching');
      expect((await clientOf(fresh!).submit(freshGrant)).status).toBe('searching');
    }
    const why = await clientOf(fresh!).explain(freshGrant);
    expect(why).toMatchObject({ pool: { mode: 'duel', region: 'eu' }, attributeMismatches: 1, compatibleNow: { groups: 0 }, latency: null });
    // The fresh player's client keeps resubmitting, as clients do, while another player queues with the SDK.
    const freshClient = (async () => {
      for (;;) {
        const answer = await clientOf(fresh!).submit(freshGrant);
        if (answer.status !== 'searching') return answer;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    const matched = await clientOf(another!).queue(another!.session, request('1.5.0'), { push: false, signal: AbortSignal.timeout(15_000) });
    expect(matched.teams.flat().map((m) => m.sub).sort()).toEqual([fresh!.id, another!.id].sort());
    expect(await freshClient).toMatchObject({ status: 'ready', match: { id: matched.id } });
  });

  it('refuses an attribute the issuer does not vouch for, naming it', async () => {
    const [player] = await createPlayers(cluster, 1, 'duel');
    const refused = clientOf(player!).requestTicket(player!.session, { mode: 'duel', region: 'eu', attributes: { build: '9.9.9' } });
    await expect(refused).rejects.toMatchObject({ status: 422, code: 'attribute-not-allowed' });
    const noLatency = clientOf(player!).requestTicket(player!.session, { mode: 'squad', region: 'eu' });
    await expect(noLatency).rejects.toMatchObject({ status: 422, code: 'latencies-required' });
  });
});
