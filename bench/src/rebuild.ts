// Part 3: SIGKILL the real matchmaker with N players resubmitting, restart it on the same port,
// and time how long until every player is answered again and until matches form.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyFile, keyRingFromFile, writeKeyFile } from '@ticketbooth/tickets';
import { startService, type ServiceProcess } from '@ticketbooth/tools';
import { cpuSeconds, track } from './children.ts';
import { readPools, startDriver } from './replay.ts';

export interface RebuildFigure {
  readonly players: number;
  readonly intervalMs: number;
  /** Resubmissions per second the driver kept up before the crash. */
  readonly steadyRps: number;
  readonly restartMs: number;
  /** From the SIGKILL until every player has been answered by the new process. */
  readonly rebuiltMs: number | null;
  /** From the SIGKILL until `/v1/pools` shows a match formed. */
  readonly firstMatchMs: number | null;
  readonly warmupMs: number;
}

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
    MATCHMAKER_POOLS: 'duel/eu,duel/na,squad/eu,squad/na',
    MATCHMAKER_MAX_PLAYERS: String(Math.max(1_000_000, players * 2)),
  };
  const warmupMs = intervalMs + Math.max(1_000, Math.round(intervalMs / 5));
  const launch = async (extra: Record<string, string>) => {
    const service = await startService('matchmaker', { port, env: { ...env, ...extra } });
    track(service.pid);
    // Not pinned: a rebuild is one Ed25519 verify per player, which the matchmaker runs on
    // libuv's thread pool so it can use the second core, shared with the driver.
    return service;
  };
  // Before the crash nothing matches (long warm-up), so the pool holds every player.
  let port = 0;
  let matchmaker: ServiceProcess = await launch({ WARMUP_MS: '3600000' });
  port = matchmaker.port;
  const driver = startDriver();
  try {
    await driver.start({ url: matchmaker.url, secret, players, intervalMs, sockets: 64 });
    const fillDeadline = Date.now() + 6 * intervalMs + 120_000;
    while (((await readPools(matchmaker.url))?.players ?? 0) < players) {
      if (Date.now() > fillDeadline) throw new Error(`pool did not fill to ${players}`);
      await sleep(250);
    }
    // One more interval at steady state, to see the rate the driver sustains.
    const before = await driver.stats();
    await sleep(intervalMs);
    const after = await driver.stats();
    const steadyRps = ((after.answered - before.answered) * 1000) / intervalMs;
    log(`  ${players} players queued; driver steady at ${steadyRps.toFixed(0)} answered/s (${after.failed} failures so far); SIGKILL`);
    const killedAt = Date.now();
    await matchmaker.kill();
    // Marked once the old process is gone, so no answer of its counts as a player back.
    await driver.mark();
    matchmaker = await launch({});
    const restartMs = Date.now() - killedAt;
    let rebuiltMs: number | null = null;
    let firstMatchMs: number | null = null;
    let nextProgress = 2_000;
    let lastCpu = { server: cpuSeconds(matchmaker.pid), driver: driver.cpu(), at: Date.now() - killedAt };
    const deadline = killedAt + 4 * intervalMs + warmupMs + 30_000;
    while (Date.now() < deadline && (rebuiltMs === null || firstMatchMs === null)) {
      const [stats, pool] = await Promise.all([driver.stats(), readPools(matchmaker.url)]);
      const at = Date.now() - killedAt;
      if (rebuiltMs === null && stats.backSinceMark >= players) rebuiltMs = at;
      if (firstMatchMs === null && (pool?.matches ?? 0) > 0) firstMatchMs = at;
      if (at >= nextProgress) {
        // CPU in cores over the last step: who holds the two cores while the pool rebuilds.
        const cpu = { server: cpuSeconds(matchmaker.pid), driver: driver.cpu(), at };
        const share = (now: number, then: number) => ((now - then) / ((cpu.at - lastCpu.at) / 1000)).toFixed(2);
        log(
          `    +${(at / 1000).toFixed(0)} s: ${stats.backSinceMark} of ${players} back, ${pool?.players ?? '-'} queued, ${stats.failed} failures; ` +
            `cores used: matchmaker ${share(cpu.server, lastCpu.server)}, driver ${share(cpu.driver, lastCpu.driver)}`,
        );
        lastCpu = cpu;
        nextProgress += 2_000;
      }
      await sleep(100);
    }
    log(`  ${players}: restart ${restartMs} ms, every player back after ${rebuiltMs ?? 'never'} ms, first match after ${firstMatchMs ?? 'none'} ms`);
    return { players, intervalMs, steadyRps, restartMs, rebuiltMs, firstMatchMs, warmupMs };
  } finally {
    await driver.stop();
    await matchmaker.kill();
    rmSync(home, { recursive: true, force: true });
  }
}
