// Services the simulator starts itself: a fresh dev state in a temp dir, loopback, free ports,
// a shared config file both read, and (when asked) the reference allocator, each its own process.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CONFIG } from '@ticketbooth/config';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort, startService, type ServiceProcess } from '../processes.ts';

export const CLIENT_ADDRESS_HEADER = 'x-forwarded-for';

export interface OwnServices {
  readonly issuerUrl: string;
  readonly adminToken: string;
  matchmaker(): ServiceProcess;
  /** The reference allocator, when asked for: it outlives a matchmaker crash, as a real one would. */
  readonly allocator: AllocatorProcess | undefined;
  /** SIGKILL the matchmaker and start it again on the same port; resolves once it listens. */
  crashMatchmaker(): Promise<void>;
  stop(): Promise<void>;
}

export interface OwnServicesOptions {
  readonly resubmitMs: number;
  /** Gives every mode an accept step of this many milliseconds. */
  readonly acceptTimeoutMs?: number;
  /** Runs the reference allocator and points the matchmaker at it. */
  readonly allocator?: boolean;
  /** The allocator's wait before each answer (a game server starting). */
  readonly allocatorDelayMs?: number;
  /** Where both services append their output (JSON lines naming the service); default a file in their temp dir, removed at the end. */
  readonly logFile?: string;
  /** The shared config both read (a config file's content); default the demo modes and regions. */
  readonly config?: SimulationConfigBase;
}

/** The parts of a shared config (as written in a config file) the simulator adjusts. */
export interface SimulationConfigBase {
  readonly modes: Readonly<Record<string, object>>;
  readonly matchmakers?: object;
  readonly [field: string]: unknown;
}

/**
 * What both services read: `base` (default the demo modes and regions), each mode with an
 * accept step when asked, and without a shard map's pools: one matchmaker serves them all here.
 */
export function simulationConfig(acceptTimeoutMs: number | undefined, base: SimulationConfigBase = DEMO_CONFIG): SimulationConfigBase {
  const { matchmakers, ...rest } = base;
  const served = matchmakers === undefined ? {} : { matchmakers: { ...matchmakers, pools: {} } };
  if (acceptTimeoutMs === undefined) return { ...rest, ...served };
  const modes = Object.fromEntries(Object.entries(base.modes).map(([name, rules]) => [name, { ...rules, accept: { timeoutMs: acceptTimeoutMs } }]));
  return { ...rest, ...served, modes };
}

export async function startOwnServices(options: OwnServicesOptions): Promise<OwnServices> {
  const home = mkdtempSync(join(tmpdir(), 'ticketbooth-sim-'));
  const adminToken = randomBytes(24).toString('base64url');
  const [issuerPort, matchmakerPort] = [await freePort(), await freePort()];
  // Not piped through this process: it is busy playing thousands of players.
  const logFile = options.logFile ?? join(home, 'services.log');
  const configFile = join(home, 'config.json');
  writeFileSync(configFile, `${JSON.stringify(simulationConfig(options.acceptTimeoutMs, options.config), null, 2)}\n`);
  const allocator = options.allocator ? await startAllocatorProcess(options.allocatorDelayMs ?? 0) : undefined;
  const common = {
    TICKETBOOTH_HOME: home,
    TICKETBOOTH_CONFIG: configFile,
    ADMIN_TOKEN: adminToken,
    RESUBMIT_INTERVAL_MS: String(options.resubmitMs),
    // Simulated players each present their own address, as they would behind a proxy.
    ISSUER_CLIENT_ADDRESS_HEADER: CLIENT_ADDRESS_HEADER,
  };
  const issuer = await startService('issuer', { port: issuerPort, env: { ...common, MATCHMAKER_URL: `http://127.0.0.1:${matchmakerPort}` }, logFile });
  const matchmakerEnv = {
    ...common,
    ISSUER_URL: issuer.url,
    // The matchmaker's own warm-up (1.2 intervals + 1 s): what a restart in production gets.
    MATCHMAKER_URL: `http://127.0.0.1:${matchmakerPort}`,
    ...(allocator === undefined ? {} : { ALLOCATOR_URL: allocator.url }),
  };
  const startMatchmaker = () => startService('matchmaker', { port: matchmakerPort, env: matchmakerEnv, logFile });
  let matchmaker = await startMatchmaker();
  return {
    issuerUrl: issuer.url,
    adminToken,
    matchmaker: () => matchmaker,
    allocator,
    async crashMatchmaker() {
      await matchmaker.kill();
      matchmaker = await startMatchmaker();
    },
    async stop() {
      await Promise.all([matchmaker.stop(), issuer.stop()]);
      await allocator?.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface AllocatorProcess {
  readonly url: string;
  /** Allocation requests received and servers handed out so far. */
  counts(): Promise<{ requests: number; allocations: number }>;
  stop(): Promise<void>;
}

/**
 * `pnpm allocator` as a child process (same loader as this one), so that its answers do not wait
 * behind thousands of simulated players on this process's event loop, as a real allocator's would not.
 */
async function startAllocatorProcess(delayMs: number): Promise<AllocatorProcess> {
  const main = fileURLToPath(new URL('../allocator-main.ts', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, main, '--port', '0', '--delay-ms', String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the allocator did not start within 30 s')), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const found = /^allocator listening on (\S+)/.exec(line);
      if (!found) return;
      clearTimeout(timer);
      resolve(found[1]!);
    });
    void exited.then(() => (clearTimeout(timer), reject(new Error('the allocator exited before listening'))));
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    counts: async () => (await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as { requests: number; allocations: number },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
