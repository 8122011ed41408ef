// Part 6 (only when asked for: it is long): the real issuer and matchmaker under a churning
// crowd for many minutes, sampling both processes' RSS and V8 heap, to show whether memory
// levels off. The figure: mean over the last five minutes / mean over the fifth minute.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startService, type ServiceProcess } from '@ticketbooth/tools';
import { track } from './children.ts';
import { startCrowd, type CrowdCounts } from './soak-crowd.ts';
import { growth, promValue, statusBytes, type Growth, type ProcessMemory, type SoakSample } from './soak-figures.ts';

export interface SoakOptions {
  readonly minutes: number;
  readonly players: number;
  readonly sampleS: number;
  readonly ticketTtlMs: number;
  readonly seed: number;
  /** When set, both services take heap snapshots (SIGUSR2) into this directory after minute 5 and at the end. */
  readonly snapshotDir?: string;
}

export interface SoakResult {
  readonly options: SoakOptions;
  /** Seconds spent signing up the first players, before the clock starts. */
  readonly signUpS: number;
  readonly samples: SoakSample[];
  readonly crowd: CrowdCounts;
  /** Undefined where the run was too short for the figure. */
  readonly growth: {
    readonly matchmakerRss: Growth | undefined;
    readonly matchmakerRssAnon: Growth | undefined;
    readonly matchmakerHeap: Growth | undefined;
    readonly issuerRss: Growth | undefined;
    readonly issuerRssAnon: Growth | undefined;
    readonly issuerHeap: Growth | undefined;
  };
}

/**
 * Modes whose rating windows start narrow and widen slowly, so that searches last from
 * seconds to minutes: long enough for tickets to be refreshed and for patience to run out.
 */
const SOAK_CONFIG = {
  modes: {
    duel: { teams: 2, teamSize: 1, ratingWindow: { initial: 5, widenPerSecond: 0.5, max: 400 } },
    squad: { teams: 2, teamSize: 4, ratingWindow: { initial: 10, widenPerSecond: 1, max: 400 } },
  },
  regions: ['eu', 'na'],
};

const MiB = 1024 * 1024;

interface Services {
  readonly issuer: ServiceProcess;
  readonly matchmaker: ServiceProcess;
  readonly adminToken: string;
  stop(): Promise<void>;
}

async function startServices(o: SoakOptions, log: (line: string) => void): Promise<Services> {
  const home = mkdtempSync(join(tmpdir(), 'ticketbooth-bench-soak-'));
  const configFile = join(home, 'config.json');
  writeFileSync(configFile, JSON.stringify(SOAK_CONFIG));
  const adminToken = randomBytes(24).toString('base64url');
  const matchmakerUrl = `http://127.0.0.1:${await freePort()}`;
  const nodeOptions = [process.env.NODE_OPTIONS, o.snapshotDir && `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${o.snapshotDir}`].filter(Boolean).join(' ');
  const env = {
    TICKETBOOTH_HOME: home,
    TICKETBOOTH_CONFIG: configFile,
    TICKET_TTL_MS: String(o.ticketTtlMs),
    ADMIN_TOKEN: adminToken,
    HOST: '127.0.0.1',
    MATCHMAKER_URL: matchmakerUrl,
    // Each player presents its own address, as behind a proxy: the issuer limits sign-ups per address.
    ISSUER_CLIENT_ADDRESS_HEADER: 'x-forwarded-for',
    ...(nodeOptions === '' ? {} : { NODE_OPTIONS: nodeOptions }),
  };
  const onLine = (name: string) => (line: string) => {
    if (/error|fail|warn/i.test(line)) log(`  [${name}] ${line}`);
  };
  const issuer = await startService('issuer', { port: 0, env, onLine: onLine('issuer') });
  track(issuer.pid);
  let matchmaker: ServiceProcess;
  try {
    matchmaker = await startService('matchmaker', {
      port: Number(new URL(matchmakerUrl).port),
      env: { ...env, ISSUER_URL: issuer.url },
      onLine: onLine('matchmaker'),
    });
    track(matchmaker.pid);
  } catch (error) {
    await issuer.kill();
    throw error;
  }
  return {
    issuer,
    matchmaker,
    adminToken,
    async stop() {
      // The matchmaker first: it polls the issuer, and would log the issuer's going as a failure.
      await matchmaker.stop();
      await issuer.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function text(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.text();
}

function memoryOf(service: ServiceProcess, metrics: string, prefix: string): ProcessMemory {
  const value = (name: string) => promValue(metrics, `${prefix}${name}`) ?? Number.NaN;
  const status = readFileSync(`/proc/${service.pid}/status`, 'utf8');
  return {
    rssBytes: statusBytes(status, 'VmRSS') ?? Number.NaN,
    rssAnonBytes: statusBytes(status, 'RssAnon') ?? Number.NaN,
    heapUsedBytes: value('nodejs_heap_size_used_bytes'),
    heapTotalBytes: value('nodejs_heap_size_total_bytes'),
    externalBytes: value('nodejs_external_memory_bytes'),
  };
}

/** RSS by pid from /proc; the V8 heap from each service's /metrics (prom-client's default metrics). */
async function takeSample(s: Services, atS: number): Promise<SoakSample> {
  const [matchmakerMetrics, issuerMetrics, pools] = await Promise.all([
    text(`${s.matchmaker.url}/metrics`),
    text(`${s.issuer.url}/metrics`),
    text(`${s.matchmaker.url}/v1/pools`).then((body) => JSON.parse(body) as { pools: { players: number; matchesFormed: number }[] }),
  ]);
  return {
    atS,
    matchmaker: memoryOf(s.matchmaker, matchmakerMetrics, ''),
    issuer: memoryOf(s.issuer, issuerMetrics, 'ticketbooth_issuer_'),
    queued: pools.pools.reduce((sum, p) => sum + p.players, 0),
    matches: pools.pools.reduce((sum, p) => sum + p.matchesFormed, 0),
    tickets: promValue(issuerMetrics, 'ticketbooth_issuer_tickets_issued_total') ?? 0,
  };
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1);

export async function measureSoak(o: SoakOptions, log: (line: string) => void): Promise<SoakResult> {
  const durationS = o.minutes * 60;
  const services = await startServices(o, log);
  const { issuer, matchmaker } = services;
  log(`  soak: issuer pid ${issuer.pid} at ${issuer.url}, matchmaker pid ${matchmaker.pid} at ${matchmaker.url}; ticket TTL ${o.ticketTtlMs} ms`);
  const crowd = startCrowd({
    players: o.players,
    issuerUrl: issuer.url,
    adminToken: services.adminToken,
    rampMs: 30_000,
    seed: o.seed,
    runId: `${Date.now().toString(36)}${process.pid}`,
    log,
  });
  const samples: SoakSample[] = [];
  try {
    const signUpStarted = Date.now();
    // Sign-up hashes two passwords per player (argon2id): bounded, the run must end by itself.
    await withTimeout(crowd.prepared, 30 * 60_000, 'sign-up took over 30 minutes');
    const signUpS = (Date.now() - signUpStarted) / 1000;
    log(`  soak: ${crowd.counts.accounts} players signed up in ${signUpS.toFixed(0)} s; queueing for ${o.minutes} min, a sample every ${o.sampleS} s`);
    const started = Date.now();
    let snapshotTaken = false;
    let missed = 0;
    for (let k = 0; k * o.sampleS <= durationS; k++) {
      await sleep(Math.max(0, started + k * o.sampleS * 1000 - Date.now()));
      // Stamped with its scheduled time, so each minute's windows hold the same samples.
      const sample = await takeSample(services, k * o.sampleS).catch((error: unknown) => {
        // A service too busy to answer within 5 s is worth a line; three in a row end the run.
        if (++missed >= 3) throw error;
        log(`  soak: sample skipped: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      });
      if (sample === undefined) continue;
      missed = 0;
      samples.push(sample);
      const c = crowd.counts;
      log(
        `  soak ${sample.atS.toFixed(0).padStart(4)} s: matchmaker RSS ${mib(sample.matchmaker.rssBytes)} MiB heap ${mib(sample.matchmaker.heapUsedBytes)} MiB; ` +
          `issuer RSS ${mib(sample.issuer.rssBytes)} MiB heap ${mib(sample.issuer.heapUsedBytes)} MiB; ${sample.queued} queued, ${sample.matches} matches; ` +
          `crowd ${c.searching} searching, ${c.refreshes} refreshes, ${c.left} left, ${c.vanished} vanished, ${c.accounts} accounts`,
      );
      if (o.snapshotDir !== undefined && !snapshotTaken && sample.atS >= 300) {
        snapshot(services, log);
        snapshotTaken = true;
      }
    }
    if (o.snapshotDir !== undefined) snapshot(services, log);
    const figures = {
      matchmakerRss: growth(samples, durationS, (s) => s.matchmaker.rssBytes),
      matchmakerRssAnon: growth(samples, durationS, (s) => s.matchmaker.rssAnonBytes),
      matchmakerHeap: growth(samples, durationS, (s) => s.matchmaker.heapUsedBytes),
      issuerRss: growth(samples, durationS, (s) => s.issuer.rssBytes),
      issuerRssAnon: growth(samples, durationS, (s) => s.issuer.rssAnonBytes),
      issuerHeap: growth(samples, durationS, (s) => s.issuer.heapUsedBytes),
    };
    return { options: o, signUpS, samples, crowd: structuredClone(crowd.counts), growth: figures };
  } finally {
    await Promise.race([crowd.stop(), sleep(30_000)]);
    // A snapshot of a large heap takes a while to write: give it time before the SIGTERM.
    if (o.snapshotDir !== undefined) await sleep(20_000);
    await services.stop();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function snapshot(s: Services, log: (line: string) => void): void {
  for (const service of [s.matchmaker, s.issuer]) process.kill(service.pid, 'SIGUSR2');
  log('  soak: asked both services for a heap snapshot (SIGUSR2)');
}
