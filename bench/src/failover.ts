// Part 8b: N players resubmitting through HAProxy to a shard of a primary and a backup; SIGKILL
// the primary and time HAProxy marking it down, every player answered by the backup, and the
// backup's first match.
import { setTimeout as sleep } from 'node:timers/promises';
import { startBenchCluster, type BenchCluster } from './bench-cluster.ts';
import { cpuSeconds } from './children.ts';
import { readPools, startDriver } from './replay.ts';

/** The layout's health check (its defaults): every 1 s, down after 2 failures, up after 2 passes. */
export const HEALTH = { intervalMs: 1_000, fall: 2, rise: 2 } as const;

export interface FailoverFigure {
  readonly players: number;
  readonly intervalMs: number;
  /** Answered resubmissions a second through HAProxy before the kill. */
  readonly steadyRps: number;
  /** The primary's pools at the kill: queued players and matches formed (0: still warming up). */
  readonly queuedAtKill: number;
  readonly primaryMatchesAtKill: number;
  /** Whether the backup was still in its own warm-up at the kill (it starts with its primary). */
  readonly backupWarmingUpAtKill: boolean;
  /** Players queued on the backup at the kill: 0 unless HAProxy sent it some before. */
  readonly backupQueuedAtKill: number;
  /** From the SIGKILL until HAProxy's stats socket shows the primary not running. */
  readonly downMs: number | null;
  /** From the SIGKILL until every player has been answered 200 again (by the backup). */
  readonly rebuiltMs: number | null;
  /** From the SIGKILL until the backup's /v1/pools shows a match formed since. */
  readonly firstMatchMs: number | null;
  /** Players answered again when the backup's first match was seen. */
  readonly backAtFirstMatch: number | null;
  /** Players queued on the backup when every player was back: the rest were matched by then. */
  readonly queuedOnBackupWhenBack: number;
  /** Requests that failed (HAProxy 503, busy, reset) from the kill until every player was back. */
  readonly failedRequests: number;
}

/** Polls until `done` or the deadline; false on timeout. */
async function waitFor(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

export async function measureFailover(databaseUrl: string, players: number, intervalMs: number, log: (line: string) => void): Promise<FailoverFigure> {
  // One shard with every pool, its primary and its backup started together as a deployment
  // would; the shard's interval, the default warm-up (1.2 intervals + 1 s) and staleness.
  const cluster = await startBenchCluster(databaseUrl, {
    shards: { a: ['duel/eu', 'duel/na', 'squad/eu', 'squad/na'] },
    issuers: 1,
    health: HEALTH,
    env: { RESUBMIT_INTERVAL_MS: String(intervalMs) },
  });
  const driver = startDriver();
  try {
    return await failOver(cluster, driver, players, intervalMs, log);
  } finally {
    await driver.stop();
    await cluster.close();
  }
}

async function failOver(cluster: BenchCluster, driver: ReturnType<typeof startDriver>, players: number, intervalMs: number, log: (line: string) => void): Promise<FailoverFigure> {
  const primary = cluster.matchmaker('a', 'primary');
  const backup = cluster.matchmaker('a', 'backup');
  // Tickets signed a minute ago: searches begun before the services started, so the primary's
  // warm-up counts them as returning players and holds its matching until they have arrived;
  // its pool then holds every player at the kill.
  await driver.start({ url: `${cluster.url}/shards/a`, secret: cluster.secret, players, intervalMs, sockets: 64, issuedAgoMs: 60_000 });
  if (!(await waitFor(async () => ((await readPools(primary.process.url))?.players ?? 0) >= players, 6 * intervalMs + 120_000))) {
    throw new Error(`the primary's pool did not fill to ${players}`);
  }
  const before = await driver.stats();
  const window = Math.min(2_000, intervalMs / 2);
  await sleep(window);
  const after = await driver.stats();
  const steadyRps = ((after.answered - before.answered) * 1000) / window;
  // A backup that has run a while is past its warm-up, as in a deployment: wait for that.
  await waitFor(async () => (await readPools(backup.process.url))?.warmingUp === false, 3 * intervalMs);
  const [atKill, backupAtKill] = await Promise.all([readPools(primary.process.url), readPools(backup.process.url)]);
  log(
    `  ${players} players queued on the primary (${atKill?.matches ?? '?'} matches formed); driver at ${steadyRps.toFixed(0)} answered/s; ` +
      `backup ${backupAtKill?.warmingUp ? 'still warming up' : 'past its warm-up'}, ${backupAtKill?.players ?? '?'} queued there; SIGKILL the primary`,
  );
  const killedAt = Date.now();
  await primary.process.kill();
  await driver.mark();
  const failedAtKill = (await driver.stats()).failed;
  const deadline = killedAt + 4 * intervalMs + 60_000;
  const since = () => Date.now() - killedAt;
  // Each reading polled on its own, so a slow answer from the busy backup delays no other.
  const until = async (done: () => Promise<boolean>, everyMs: number) => {
    while (Date.now() < deadline && !(await done())) await sleep(everyMs);
  };
  let stats = await driver.stats();
  let downMs: number | null = null;
  let rebuiltMs: number | null = null;
  let firstMatchMs: number | null = null;
  let backAtFirstMatch: number | null = null;
  let failedRequests = 0;
  let queuedOnBackup = 0;
  let queuedOnBackupWhenBack = -1;
  const progress = cpuProgress(cluster, driver, log);
  await Promise.all([
    until(async () => {
      const servers = await cluster.serversUp('a').catch(() => undefined);
      if (servers?.primary === false) downMs ??= since();
      return downMs !== null;
    }, 25),
    until(async () => {
      stats = await driver.stats();
      failedRequests = stats.failed - failedAtKill;
      if (stats.backSinceMark >= players && rebuiltMs === null) {
        rebuiltMs = since();
        queuedOnBackupWhenBack = (await readPools(backup.process.url))?.players ?? -1;
      }
      return rebuiltMs !== null;
    }, 25),
    until(async () => {
      const pools = await readPools(backup.process.url);
      queuedOnBackup = pools?.players ?? queuedOnBackup;
      if ((pools?.matches ?? 0) > (backupAtKill?.matches ?? 0) && firstMatchMs === null) {
        firstMatchMs = since();
        backAtFirstMatch = stats.backSinceMark;
      }
      return firstMatchMs !== null;
    }, 50),
    until(async () => {
      await sleep(2_000);
      progress(since(), `${stats.backSinceMark} of ${players} back, ${queuedOnBackup} queued on the backup, ${failedRequests} failed requests`);
      return downMs !== null && rebuiltMs !== null && firstMatchMs !== null;
    }, 0),
  ]);
  const ms = (x: number | null) => (x === null ? 'never' : `${x} ms`);
  log(`  ${players}: marked down after ${ms(downMs)}, every player back after ${ms(rebuiltMs)}, first match after ${ms(firstMatchMs)} (${backAtFirstMatch ?? '-'} players back by then)`);
  return {
    players,
    intervalMs,
    steadyRps,
    queuedAtKill: atKill?.players ?? -1,
    primaryMatchesAtKill: atKill?.matches ?? -1,
    backupWarmingUpAtKill: backupAtKill?.warmingUp ?? true,
    backupQueuedAtKill: backupAtKill?.players ?? -1,
    downMs,
    rebuiltMs,
    firstMatchMs,
    backAtFirstMatch,
    queuedOnBackupWhenBack,
    failedRequests,
  };
}

/** Logs a line with the cores the backup, HAProxy and the driver used since the last one. */
function cpuProgress(cluster: BenchCluster, driver: ReturnType<typeof startDriver>, log: (line: string) => void) {
  const backupPid = cluster.matchmaker('a', 'backup').process.pid;
  const read = () => ({ backup: cpuSeconds(backupPid), haproxy: cpuSeconds(cluster.haproxy.pid), driver: driver.cpu(), at: performance.now() });
  let last = read();
  return (atMs: number, line: string) => {
    const now = read();
    const cores = (name: 'backup' | 'haproxy' | 'driver') => ((now[name] - last[name]) / ((now.at - last.at) / 1000)).toFixed(2);
    log(`    +${(atMs / 1000).toFixed(1)} s: ${line}; cores: backup ${cores('backup')}, haproxy ${cores('haproxy')}, driver ${cores('driver')}`);
    last = now;
  };
}
