// Sharded matchmakers with failover behind HAProxy, issuers on one PostgreSQL, all real
// processes: a SIGKILLed primary's shard is served by its backup, which rebuilds the pools and
// the matches from the players' resubmissions; the other shard does not notice.
import { createClient } from '@ticketbooth/client';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopingPlayer, clusterUnavailable, sleep, startTestCluster, type TestCluster } from './support/sharded.ts';

const INTERVAL_MS = 1_000;
const HEALTH = { intervalMs: 500, fall: 2, rise: 2 };
// Detection: up to `fall` failed checks one interval apart, plus the check in flight.
const DETECTION_MS = HEALTH.intervalMs * (HEALTH.fall + 1);

describe.skipIf(clusterUnavailable() !== undefined)('a sharded cluster behind HAProxy', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({
      shards: { a: ['duel/eu', 'squad/eu'], b: ['duel/na', 'squad/na'] },
      health: HEALTH,
      env: { RESUBMIT_INTERVAL_MS: String(INTERVAL_MS), WARMUP_MS: '1500' },
    });
  }, 90_000);
  afterAll(async () => {
    await cluster?.close();
  }, 30_000);

  it('gives a game client one URL: accounts and tickets through the proxy, matches in both shards', async () => {
    const client = createClient({ issuerUrl: cluster.url });
    const players = await Promise.all(
      ['eu', 'eu', 'na', 'na'].map(async (region, i) => {
        const username = `one-url-${region}-${i}-${Date.now() % 100_000}`;
        await client.register(username, 'correct horse battery');
        return { region, session: await client.login(username, 'correct horse battery') };
      }),
    );
    const grant = await client.requestTicket(players[0]!.session, { mode: 'duel', region: 'eu' });
    expect(grant.matchmakerUrl).toBe(`${cluster.url}/shards/a`);
    expect((await client.requestTicket(players[2]!.session, { mode: 'duel', region: 'na' })).matchmakerUrl).toBe(`${cluster.url}/shards/b`);
    const matches = await Promise.all(players.map((p) => client.queue(p.session, { mode: 'duel', region: p.region }, { push: false, signal: AbortSignal.timeout(30_000) })));
    expect(matches[0]!.id).toBe(matches[1]!.id);
    expect(matches[2]!.id).toBe(matches[3]!.id);
    expect(matches[0]!.pool).toEqual({ mode: 'duel', region: 'eu' });
    expect(matches[2]!.pool).toEqual({ mode: 'duel', region: 'na' });
  }, 60_000);

  it('two issuers behind the proxy share the login limits: per user and per address, and a forged leftmost X-Forwarded-For gains nothing', async () => {
    const client = createClient({ issuerUrl: cluster.url });
    const username = `limited-${Date.now() % 100_000}`;
    await client.register(username, 'correct horse battery');
    const login = (name: string, forged?: string) =>
      fetch(`${cluster.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(forged === undefined ? {} : { 'x-forwarded-for': forged }) },
        body: JSON.stringify({ username: name, password: 'wrong password here' }),
      });
    // Per user (10 in 5 minutes): the 11th wrong password is refused, though the proxy spread them over both issuers.
    const perUser: number[] = [];
    for (let i = 0; i < 11; i++) perUser.push((await login(username)).status);
    expect(perUser.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(perUser[10]).toBe(429);
    // Per address (60 a minute): each attempt forges a new leftmost address and names another user.
    // HAProxy appends the real one, which is what both issuers count: refused well before 120
    // (what two issuers with limits of their own would allow).
    const perAddress: number[] = [];
    for (let i = 0; i < 70; i++) perAddress.push((await login(`nobody-${i}`, `10.66.${i}.1`)).status);
    const firstRefused = perAddress.indexOf(429);
    expect(firstRefused).toBeGreaterThan(0);
    expect(firstRefused).toBeLessThanOrEqual(60);
    expect(perAddress.slice(firstRefused).every((status) => status === 429)).toBe(true);
    // Both issuers took part.
    for (const issuer of cluster.issuers) {
      const metrics = await (await fetch(`${issuer.url}/metrics`)).text();
      expect(metrics).toMatch(/ticketbooth_issuer_logins_total\{outcome="(?:invalid_credentials|rate_limited)"\} [1-9]/);
    }
  }, 60_000);

  it('a SIGKILLed primary: its backup serves the shard, every player is back within 2 intervals plus detection, no one lost or matched twice, the other shard undisturbed; the primary back takes the shard again', async () => {
    const dispatcher = new Agent({ connections: 600, keepAliveTimeout: 10_000 });
    // Per shard: 80 pairs of equal rating (pairs far apart: each pair matches only itself) and 90
    // players no one can be matched with, so both matches and searches cross the failover.
    const players: LoopingPlayer[] = [];
    for (const [shard, region] of [['a', 'eu'], ['b', 'na']] as const) {
      for (let i = 0; i < 250; i++) {
        const pair = i < 160;
        const rating = pair ? -900_000 + Math.floor(i / 2) * 2_000 : 100_000 + i * 2_000;
        const sub = `${shard}-${pair ? 'pair' : 'alone'}-${i}`;
        players.push(new LoopingPlayer(sub, cluster.ticket(sub, { mode: 'duel', region }, rating), `${cluster.url}/shards/${shard}`, INTERVAL_MS, dispatcher));
      }
    }
    const onShard = (shard: string) => players.filter((p) => p.sub.startsWith(`${shard}-`));
    try {
      // Warm-up over and every pair matched on both shards.
      await waitUntil(() => players.filter((p) => p.sub.includes('-pair-')).every((p) => p.matches.size === 1), 20_000, 'every pair matched');
      await sleep(2 * INTERVAL_MS);
      const primary = cluster.matchmakers.find((m) => m.shard === 'a' && m.role === 'primary')!;
      const killedAt = Date.now();
      await primary.process.kill();
      expect((await primary.process.exited).signal).toBe('SIGKILL');
      // Every player answered again, then a few intervals to see the rebuilt state settle.
      const limitMs = 2 * INTERVAL_MS + DETECTION_MS;
      await sleep(limitMs + 3 * INTERVAL_MS);

      const backAfter = onShard('a').map((p) => {
        const next = p.answers.find((a) => a.at >= killedAt && a.ok);
        return next === undefined ? Infinity : next.at - killedAt;
      });
      const worstBackMs = Math.max(...backAfter);
      console.log(`failover: every shard-a player answered again within ${worstBackMs} ms of the SIGKILL (limit ${limitMs} ms)`);
      expect(worstBackMs).toBeLessThanOrEqual(limitMs);

      // The other shard: every request since the kill answered.
      const shardB = onShard('b').flatMap((p) => p.answers.filter((a) => a.at >= killedAt - INTERVAL_MS));
      expect(shardB.length).toBeGreaterThan(250 * 3);
      expect(shardB.filter((a) => !a.ok)).toEqual([]);

      // No one lost: the last answer of every player is its match or its search, from the backup.
      for (const p of players) {
        const last = p.answers.at(-1)!;
        expect(last.ok, `${p.sub}: ${JSON.stringify(last)}`).toBe(true);
        expect(last.state).toBe(p.sub.includes('-pair-') ? 'ready' : 'searching');
        // Nobody in two matches: one match id per player, before and after the failover, shared with its pair.
        expect(p.matches.size, p.sub).toBe(p.sub.includes('-pair-') ? 1 : 0);
      }
      const pools = (await (await fetch(`${cluster.url}/shards/a/v1/pools`)).json()) as { pools: { pool: string; players: number }[] };
      expect(pools.pools.find((p) => p.pool === 'duel/eu')?.players).toBe(90);

      // Failback: the primary comes back and takes the shard again at once (never both serving
      // it); it rebuilds the pools and the matches from the same resubmissions.
      await primary.restart();
      await sleep(HEALTH.intervalMs * (HEALTH.rise + 1) + 1_500 + 3 * INTERVAL_MS);
      const direct = (await (await fetch(`http://127.0.0.1:${primary.port}/v1/pools`)).json()) as { pools: { pool: string; players: number }[] };
      expect(direct.pools.find((p) => p.pool === 'duel/eu')?.players).toBe(90);
      for (const p of players) {
        expect(p.answers.at(-1)!.ok, p.sub).toBe(true);
        expect(p.matches.size, p.sub).toBe(p.sub.includes('-pair-') ? 1 : 0);
      }
    } finally {
      await Promise.all(players.map((p) => p.stop()));
      await dispatcher.close();
    }
  }, 90_000);
});

async function waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
