// Part 5: match quality of the real services (the simulator's swarm through HTTP) against
// first-come-first-matched on the same seeded crowd and the same clock.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { buildPopulation } from '../../tools/src/simulate/population.ts';
import { percentiles, type Percentiles } from '../../tools/src/simulate/summary.ts';
import { REPO_DIR, track } from './children.ts';
import { matchFifo } from './fifo.ts';

export interface QualityOptions {
  readonly players: number;
  readonly resubmitMs: number;
  readonly durationS: number;
  readonly rampS: number;
  readonly seed: number;
}

export interface QualitySide {
  readonly matched: number;
  readonly unmatched: number;
  readonly ratingSpread: Percentiles;
  readonly timeToMatchMs: Percentiles;
}

/** `pnpm simulate` as a child, with its own issuer and matchmaker; resolves its JSON summary. */
function simulate(o: QualityOptions, log: (line: string) => void): Promise<QualitySide> {
  const dir = mkdtempSync(join(tmpdir(), 'ticketbooth-bench-sim-'));
  const json = join(dir, 'summary.json');
  const args = ['--players', o.players, '--duration-s', o.durationS, '--ramp-s', o.rampS, '--resubmit-ms', o.resubmitMs, '--seed', o.seed, '--json', json].map(String);
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@ticketbooth/source', 'src/simulate.ts', ...args], {
    cwd: `${REPO_DIR}tools`,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child.pid);
  let tail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-2_000);
    const line = chunk.toString().trim().split(/[\r\n]/).at(-1);
    if (line) log(`  simulator: ${line.trim()}`);
  });
  child.stdout.resume();
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`simulator exited with ${code}:\n${tail}`);
        const { summary } = JSON.parse(readFileSync(json, 'utf8')) as { summary: QualitySide };
        resolve(summary);
      } catch (error) {
        reject(error as Error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

export async function measureQuality(o: QualityOptions, log: (line: string) => void) {
  const ticketbooth = await simulate(o, log);
  const shared = parseSharedConfig(DEMO_CONFIG);
  // The simulator's crowd for this seed (the run id only names accounts).
  const crowd = buildPopulation({
    players: o.players,
    modes: ['duel', 'squad'],
    regions: ['eu', 'na'],
    ratingMean: 1500,
    ratingStdDev: 300,
    rampMs: o.rampS * 1000,
    runId: 'fifo',
    seed: o.seed,
  });
  // The simulator's clock: the matchmaker's default 1 s tick, and no warm-up left by the time
  // players queue (its services start before the players register and log in).
  const fifo = matchFifo(crowd, shared.modes, { tickMs: 1_000, warmupMs: 0, durationMs: o.durationS * 1000 });
  const baseline: QualitySide = {
    matched: fifo.timesToMatch.length,
    unmatched: fifo.unmatched,
    ratingSpread: percentiles(fifo.spreads),
    timeToMatchMs: percentiles(fifo.timesToMatch),
  };
  return {
    ticketbooth,
    fifo: baseline,
    spreadRatioP50: ticketbooth.ratingSpread.p50 / baseline.ratingSpread.p50,
    spreadRatioP95: ticketbooth.ratingSpread.p95 / baseline.ratingSpread.p95,
    p95TimeInIntervals: ticketbooth.timeToMatchMs.p95 / o.resubmitMs,
  };
}
