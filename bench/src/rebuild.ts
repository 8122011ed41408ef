// Part 3: SIGKILL the real matchmaker with N players resubmitting, restart it on the same port,
// and time how long until every player is answered again and until matches form.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyFile, keyRingFromFile, writeKeyFile } from '@ticketbooth/tickets';
import { startService, type ServiceProcess } from '@ticketbooth/tools';
import { cpuSeconds, track } from './children.ts';
import { readPools, startDriver, type DriverStats } from './replay.ts';

export interface RebuildFigure {
  readonly players: number;
  readonly intervalMs: number;
  /** Resubmissions per second the driver kept up before the crash, and the CPU they took. */
  readonly steadyRps: number;
  readonly steadyCores: Cores;
  /** From the start of the driver until the pool held every player (signing the tickets included). */
  readonly fillMs: number;
  readonly restartMs: number;
  /** From the SIGKILL until every player has been answered by the new process (null: not by the end). */
  readonly rebuiltMs: number | null;
  /** From the SIGKILL until the measure ended (both seen, or the deadline), and the share back (0..1) then. */
  readonly endedMs: number;
  readonly backAtEnd: number;
  /** The target: every player back within one interval + the restart + 1 s. */
  readonly budgetMs: number;
  /**
   * From the SIGKILL until the last resubmission the driver had already scheduled (interval
   * ±20 % jitter, as the SDK's): a floor under `rebuiltMs` however fast the new process is.
   */
  readonly lastDueMs: number;
  /** From the SIGKILL until `/v1/pools` shows a match formed. */
  readonly firstMatchMs: number | null;
  /**
   * Share of the players (0..1) answered again by the new process, as the driver counted them
   * just before sending the `/v1/pools` poll that first saw a match. The product promises the
   * first match only once ≥ 95 % are back.
   */
  readonly backAtFirstMatch: number | null;
  /**
   * Bounds on that share at the moment the match formed: the match formed after the previous
   * poll was served and before this one was answered (polls ~100 ms apart), and the driver's
   * count, read before the previous poll and after this one, only grows.
   */
  readonly backAtFirstMatchBounds: readonly [low: number, high: number] | null;
  /** Players in the new process's pools when every player was back (before any match: all of them, unless some went stale). */
  readonly queuedWhenBack: number | null;
  /** Cores used from the restart until every player was back (null if they never were). */
  readonly rebuildCores: Cores | null;
  /** Requests that failed (refused connection, 503, reset) from the SIGKILL until the end of the measure. */
  readonly failuresAfterKill: number;
  /** The restarted matchmaker's shortest warm-up (its default); the longest is 5 times this. */
  readonly warmupMs: number;
}

/** CPU over a span, in cores: used by each process and by the whole machine, and waited for (runnable, not running). */
export interface Cores {
  readonly matchmaker: number;
  readonly driver: number;
  readonly machine: number;
  readonly matchmakerWaiting: number;
  readonly driverWaiting: number;
}

interface CpuReading {
  readonly at: number;
  readonly matchmaker: number;
  readonly driver: number;
  readonly machineBusy: number;
  readonly machineAll: number;
  readonly matchmakerWait: number;
  readonly driverWait: number;
}

/** Seconds the threads of a process have waited on a run queue so far (/proc/<pid>/task/<tid>/schedstat). */
function runQueueWaitSeconds(pid: number): number {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // no schedstat here: 0
  }
  return ns / 1e9;
}

function readCpu(matchmakerPid: number, driverPid: number): CpuReading {
  // /proc/stat's first line: cpu user nice system idle iowait irq softirq steal ...
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return {
    at: performance.now(),
    matchmaker: cpuSeconds(matchmakerPid),
    driver: cpuSeconds(driverPid),
    machineBusy: busy,
    machineAll: busy + idle! + iowait!,
    matchmakerWait: runQueueWaitSeconds(matchmakerPid),
    driverWait: runQueueWaitSeconds(driverPid),
  };
}

function coresBetween(then: CpuReading, now: CpuReading): Cores {
  const wallS = (now.at - then.at) / 1000;
  return {
    matchmaker: (now.matchmaker - then.matchmaker) / wallS,
    driver: (now.driver - then.driver) / wallS,
    machine: ((now.machineBusy - then.machineBusy) / (now.machineAll - then.machineAll || 1)) * availableParallelism(),
    matchmakerWaiting: (now.matchmakerWait - then.matchmakerWait) / wallS,
    driverWaiting: (now.driverWait - then.driverWait) / wallS,
  };
}

export const formatCores = (c: Cores) =>
  `cores used: matchmaker ${c.matchmaker.toFixed(2)}, driver ${c.driver.toFixed(2)}, whole machine ${c.machine.toFixed(2)} of ${availableParallelism()}; ` +
  `threads waiting for a core: matchmaker ${c.matchmakerWaiting.toFixed(2)}, driver ${c.driverWaiting.toFixed(2)}`;

const failures = (stats: DriverStats) => `(${Object.entries(stats.failedBy).map(([status, count]) => `${status}: ${count}`).join(', ') || 'none'})`;

/**
 * The target at each size: every player back within one resubmit interval + the restart + 1 s.
 * A client's interval is the server's moved by up to ±20 % (the SDK's `jitter`), so the last
 * player is due 1.2 intervals after the kill: that is the interval the target counts.
 */
export const rebuildBudgetMs = (intervalMs: number, restartMs: number) => Math.round(intervalMs * 1.2) + restartMs + 1_000;

/**
 * Tickets outlive the run: 400k players take minutes to sign, fill and rebuild, past the
 * product's 5-minute ticket. Nothing measured here depends on it (no player refreshes a ticket).
 */
const TICKET_LIFETIME_MS = 30 * 60_000;

export async function measureRebuild(players: number, intervalMs: number, log: (line: string) => void): Promise<RebuildFigure> {
  const home = mkdtempSync(join(tmpdir(), 'ticketbooth-bench-'));
  const keyFile = join(home, 'issuer-keys.json');
  const file = generateKeyFile(Date.now());
  writeKeyFile(keyFile, file);
  const secret = keyRingFromFile(file).signingKey().paserk;
  const env = {
    TICKETBOOTH_HOME: home,
    ISSUER_PUBLIC_KEY_FILE: keyFile,
    RESUBMIT_INTERVAL_MS: String(intervalMs),
    TICKET_TTL_MS: String(TICKET_LIFETIME_MS),
    MATCHMAKER_POOLS: 'duel/eu,duel/na,squad/eu,squad/na',
    MATCHMAKER_MAX_PLAYERS: String(Math.max(1_000_000, players * 2)),
  };
  // The restarted matchmaker's warm-up as configured by default (apps/matchmaker/src/config.ts,
  // warmup.ts): at least 1.2 intervals + 1 s, then until arrivals settle, at most 5 times that.
  const warmupMs = Math.round(intervalMs * 1.2) + 1_000;
  // Slack that grows with the pool, for the fill and the rebuild: one Ed25519 verify per
  // player, at no less than ~3,000 verifies/s on a loaded 2-core machine.
  const slackMs = Math.round(players / 3);
  const launch = async (extra: Record<string, string>) => {
    const service = await startService('matchmaker', { port, env: { ...env, ...extra } });
    track(service.pid);
    // Not pinned: a rebuild is one Ed25519 verify per player, which the matchmaker runs on
    // libuv's thread pool so it can use the second core, shared with the driver.
    return service;
  };
  // Before the crash nothing matches (long warm-up), so the pool holds every player, and
  // nobody goes stale while it fills: with 400k players a loaded machine verifies new tickets
  // slower than queued players' resubmissions fall due, and those dropped would need verifying
  // again. Whether the cadence holds once full shows in the steady rate. The restarted
  // process runs with the defaults (stale after 3 intervals).
  let port = 0;
  let matchmaker: ServiceProcess = await launch({ WARMUP_MS: '3600000', STALE_AFTER_MS: '3600000' });
  port = matchmaker.port;
  const driver = startDriver();
  try {
    const startedAt = Date.now();
    // One request in flight per socket. Players new to the server (the fill, the rebuild) go
    // over 64 sockets of their own: at most 64 new tickets checked at once, the matchmaker's
    // thread-pool limit, past which it verifies on its loop and then answers 503. Queued
    // players go over 64 others, so their resubmissions do not wait behind those verifies
    // (with one lane, 400k players went stale in the driver's queue before the pool filled).
    await driver.start({ url: matchmaker.url, secret, players, intervalMs, sockets: 64, newTicketSockets: 64, ticketLifetimeMs: TICKET_LIFETIME_MS });
    log(`  ${players} tickets signed in ${Date.now() - startedAt} ms; filling the pool`);
    const fillDeadline = Date.now() + 6 * intervalMs + 120_000 + slackMs;
    let nextFillProgress = Date.now() + 10_000;
    let fillCpu = readCpu(matchmaker.pid, driver.pid);
    for (;;) {
      const queued = (await readPools(matchmaker.url))?.players ?? 0;
      if (queued >= players) break;
      if (Date.now() > fillDeadline) throw new Error(`pool did not fill to ${players} (${queued} queued)`);
      if (Date.now() >= nextFillProgress) {
        const stats = await driver.stats();
        const cpu = readCpu(matchmaker.pid, driver.pid);
        log(`    filling: ${queued} of ${players} queued, ${stats.answered} answered, ${stats.failed} failures ${failures(stats)}; ${formatCores(coresBetween(fillCpu, cpu))}`);
        fillCpu = cpu;
        nextFillProgress += 10_000;
      }
      await sleep(250);
    }
    const fillMs = Date.now() - startedAt;
    // One more interval at steady state, to see the rate the driver sustains.
    const before = await driver.stats();
    const steadyFrom = readCpu(matchmaker.pid, driver.pid);
    await sleep(intervalMs);
    const after = await driver.stats();
    const steadyCores = coresBetween(steadyFrom, readCpu(matchmaker.pid, driver.pid));
    const steadyRps = ((after.answered - before.answered) * 1000) / intervalMs;
    const nominalRps = (players * 1000) / intervalMs;
    log(
      `  ${players} players queued after ${fillMs} ms; driver steady at ${steadyRps.toFixed(0)} answered/s of ${nominalRps.toFixed(0)} nominal ` +
        `(${after.failed} failures so far${steadyRps < 0.9 * nominalRps ? '; BELOW the cadence: players resubmit less often than every interval' : ''}), ` +
        `${((steadyCores.matchmaker / steadyRps) * 1e6).toFixed(0)} µs matchmaker CPU per answer; ${formatCores(steadyCores)}; SIGKILL`,
    );
    const killedAt = Date.now();
    await matchmaker.kill();
    // Marked once the old process is gone, so no answer of its counts as a player back.
    const lastDueMs = (await driver.mark()) + (Date.now() - killedAt);
    const failedAtKill = (await driver.stats()).failed;
    matchmaker = await launch({});
    const restartMs = Date.now() - killedAt;
    const budgetMs = rebuildBudgetMs(intervalMs, restartMs);
    let rebuiltMs: number | null = null;
    let firstMatchMs: number | null = null;
    let backAtFirstMatch: number | null = null;
    let backAtFirstMatchBounds: readonly [number, number] | null = null;
    let rebuildCores: RebuildFigure['rebuildCores'] = null;
    let queuedWhenBack: number | null = null;
    let nextProgress = 2_000;
    const atRestart = readCpu(matchmaker.pid, driver.pid);
    let lastCpu = atRestart;
    // Players back as counted before the previous poll was sent: the lower bound (0 at the mark).
    let backBeforeLastPoll = 0;
    let failed = failedAtKill;
    let backAtEnd = 0;
    let endedMs = 0;
    const deadline = killedAt + 4 * intervalMs + warmupMs + 30_000 + slackMs;
    while (Date.now() < deadline && (rebuiltMs === null || firstMatchMs === null)) {
      // The driver's count first, then the poll, one after the other: so the count is one
      // the poll's answer comes after. The first match is seen only at a poll (every ~100 ms
      // plus the poll's own latency), so the share back is sampled there, not at the tick
      // that formed the match; the bounds below bracket the tick.
      const stats = await driver.stats();
      const pool = await readPools(matchmaker.url);
      const at = Date.now() - killedAt;
      failed = stats.failed;
      backAtEnd = stats.backSinceMark / players;
      endedMs = at;
      if (rebuiltMs === null && stats.backSinceMark >= players) {
        rebuiltMs = at;
        queuedWhenBack = pool?.players ?? null;
        rebuildCores = coresBetween(atRestart, readCpu(matchmaker.pid, driver.pid));
      }
      if (firstMatchMs === null && (pool?.matches ?? 0) > 0) {
        firstMatchMs = at;
        backAtFirstMatch = stats.backSinceMark / players;
        // The match formed after the previous poll was served (it saw none) and before this
        // one was answered; the count only grows, so it lies between the count read before
        // the previous poll and one read now. (The driver counts an answer when it reads it,
        // a moment after the matchmaker queued the player: the high bound may miss a few in flight.)
        const high = (await driver.stats()).backSinceMark;
        backAtFirstMatchBounds = [backBeforeLastPoll / players, high / players];
      }
      backBeforeLastPoll = stats.backSinceMark;
      if (at >= nextProgress) {
        // CPU in cores over the last step: who holds the two cores while the pool rebuilds,
        // and how much the machine's other work keeps ours waiting.
        const cpu = readCpu(matchmaker.pid, driver.pid);
        log(`    +${(at / 1000).toFixed(0)} s: ${stats.backSinceMark} of ${players} back, ${pool?.players ?? '-'} queued, ${stats.failed} failures ${failures(stats)}; ${formatCores(coresBetween(lastCpu, cpu))}`);
        lastCpu = cpu;
        nextProgress += 2_000;
      }
      await sleep(100);
    }
    const percent = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)} %`);
    log(
      `  ${players}: restart ${restartMs} ms, every player back ${rebuiltMs === null ? `never (${percent(backAtEnd)} back at ${endedMs} ms` : `after ${rebuiltMs} ms (${queuedWhenBack ?? '-'} queued then`}; budget ${budgetMs} ms: ${rebuiltMs !== null && rebuiltMs <= budgetMs ? 'PASS' : 'FAIL'}; ` +
        `last resubmission scheduled before the kill due at ${lastDueMs} ms), ` +
        `first match after ${firstMatchMs ?? 'none'} ms with ${percent(backAtFirstMatch)} of players back` +
        (backAtFirstMatchBounds === null ? '' : ` (${percent(backAtFirstMatchBounds[0])}–${percent(backAtFirstMatchBounds[1])} when it formed)`) +
        (rebuildCores === null ? '' : `; from the restart until all back, ${formatCores(rebuildCores)}`),
    );
    return {
      players,
      intervalMs,
      steadyRps,
      steadyCores,
      fillMs,
      restartMs,
      rebuiltMs,
      endedMs,
      backAtEnd,
      budgetMs,
      lastDueMs,
      firstMatchMs,
      backAtFirstMatch,
      backAtFirstMatchBounds,
      queuedWhenBack,
      rebuildCores,
      failuresAfterKill: failed - failedAtKill,
      warmupMs,
    };
  } finally {
    await driver.stop();
    await matchmaker.kill();
    rmSync(home, { recursive: true, force: true });
  }
}
