// Revocation latency and key rotation, measured on real processes (not a test: prints figures).
// Run: pnpm --filter @ticketbooth/e2e exec tsx --conditions=@ticketbooth/source revocation.bench.ts
import { createClient } from '@ticketbooth/client';
import { createPlayers, poolSizes, startCluster } from './support/cluster.ts';
import { banPlayer, submitTicket } from './support/operator.ts';
import { rotateUnderLoad } from './support/rotation.ts';

const BANS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Queues BANS players, bans them one by one at random 50-150 ms spacing (so the
 * bans fall at every phase of the poll), and watches /v1/pools every 10 ms. The
 * feed applies bans in notBefore order, so the k-th ban has been applied when
 * the pool holds BANS - k players or fewer.
 */
async function measureBanLatency(pollMs: number): Promise<number[]> {
  const cluster = await startCluster({
    resubmitMs: 20_000,
    warmupMs: 600_000,
    extraMatchmakerEnv: { REVOCATION_POLL_MS: String(pollMs) },
  });
  try {
    const players = await createPlayers(cluster, BANS, 'squad');
    for (const p of players) {
      const grant = await createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }).requestTicket(p.session, { mode: 'squad', region: 'eu' });
      const answer = await submitTicket(cluster.matchmaker.url, grant.ticket);
      if (answer.status !== 200) throw new Error(`queueing failed: ${answer.status}`);
    }
    if ((await poolSizes(cluster.matchmaker.url)) !== BANS) throw new Error('pool not full');
    const bannedAt: number[] = [];
    const removedAt: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const removed = BANS - (await poolSizes(cluster.matchmaker.url));
        const at = Date.now();
        while (removedAt.length < removed) removedAt.push(at);
        if (removedAt.length === BANS) return;
        await sleep(10);
      }
    })();
    for (const p of players) {
      bannedAt.push(Date.now());
      await banPlayer(cluster, p.id);
      await sleep(50 + Math.random() * 100);
    }
    const deadline = Date.now() + 10 * pollMs + 5_000;
    while (removedAt.length < BANS && Date.now() < deadline) await sleep(50);
    watching = false;
    await watcher;
    if (removedAt.length < BANS) throw new Error(`only ${removedAt.length} of ${BANS} removed`);
    return bannedAt.map((t, i) => removedAt[i]! - t).sort((a, b) => a - b);
  } finally {
    await cluster.stop();
  }
}

async function measureRotation() {
  const keysRefreshMs = 1_000;
  const cluster = await startCluster({ resubmitMs: 2_000, warmupMs: 600_000, extraMatchmakerEnv: { KEYS_REFRESH_MS: String(keysRefreshMs) } });
  try {
    const run = await rotateUnderLoad(cluster, { players: 200, mode: 'squad', region: 'eu', roundMs: 250, keysRefreshMs, maxAfterMs: 15_000 });
    const newKey = run.submissions.filter((s) => s.kid === run.newKid);
    return {
      submissions: run.submissions.length,
      rejected: run.submissions.filter((s) => s.answer.status !== 200).length,
      ticketErrors: run.ticketErrors.length,
      oldKeySubmissions: run.submissions.filter((s) => s.kid === run.oldKid).length,
      newKeySubmissions: newKey.length,
      playersOnNewKey: new Set(newKey.map((s) => s.player)).size,
      firstNewKeyAnswer: newKey[0]?.answer.status,
      firstNewKeyAfterActivateMs: newKey[0] === undefined ? undefined : newKey[0].at - run.activatedAt,
    };
  } finally {
    await cluster.stop();
  }
}

for (const pollMs of [2_000, 500]) {
  const latencies = await measureBanLatency(pollMs);
  console.log(
    `ban -> removed from pool, ${BANS} bans, poll ${pollMs} ms: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, ` +
      `max ${latencies.at(-1)} ms (target p99 <= ${2 * pollMs} ms: ${percentile(latencies, 99) <= 2 * pollMs ? 'met' : 'MISSED'})`,
  );
}
const rotation = await measureRotation();
console.log(`issuer key rotation, 200 players resubmitting fresh tickets every 250 ms: ${JSON.stringify(rotation)}`);
