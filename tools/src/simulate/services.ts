// Services the simulator starts itself: a fresh dev state in a temp dir, loopback, free ports,
// a shared config file both read, and (when asked) the reference allocator in this process.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CONFIG } from '@ticketbooth/config';
import { startAllocator, type RunningAllocator } from '../allocator.ts';
import { freePort, startService, type ServiceProcess } from '../processes.ts';

export const CLIENT_ADDRESS_HEADER = 'x-forwarded-for';

export interface OwnServices {
  readonly issuerUrl: string;
  readonly adminToken: string;
  matchmaker(): ServiceProcess;
  /** The reference allocator, when asked for: it outlives a matchmaker crash, as a real one would. */
  readonly allocator: RunningAllocator | undefined;
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
  readonly log: (line: string) => void;
}

/** The demo modes and regions, each mode with an accept step when asked: what both services read. */
export function simulationConfig(acceptTimeoutMs: number | undefined) {
  if (acceptTimeoutMs === undefined) return DEMO_CONFIG;
  const modes = Object.fromEntries(Object.entries(DEMO_CONFIG.modes).map(([name, rules]) => [name, { ...rules, accept: { timeoutMs: acceptTimeoutMs } }]));
  return { ...DEMO_CONFIG, modes };
}

export async function startOwnServices(options: OwnServicesOptions): Promise<OwnServices> {
  const home = mkdtempSync(join(tmpdir(), 'ticketbooth-sim-'));
  const adminToken = randomBytes(24).toString('base64url');
  const matchmakerPort = await freePort();
  const configFile = join(home, 'config.json');
  writeFileSync(configFile, `${JSON.stringify(simulationConfig(options.acceptTimeoutMs), null, 2)}\n`);
  const allocator = options.allocator ? await startAllocator() : undefined;
  const common = {
    TICKETBOOTH_HOME: home,
    TICKETBOOTH_CONFIG: configFile,
    ADMIN_TOKEN: adminToken,
    RESUBMIT_INTERVAL_MS: String(options.resubmitMs),
    // Simulated players each present their own address, as they would behind a proxy.
    ISSUER_CLIENT_ADDRESS_HEADER: CLIENT_ADDRESS_HEADER,
  };
  const issuer = await startService('issuer', {
    port: 0,
    env: { ...common, MATCHMAKER_URL: `http://127.0.0.1:${matchmakerPort}` },
    onLine: (line) => options.log(`[issuer] ${line}`),
  });
  const matchmakerEnv = {
    ...common,
    ISSUER_URL: issuer.url,
    // The matchmaker's own warm-up (1.2 intervals + 1 s): what a restart in production gets.
    MATCHMAKER_URL: `http://127.0.0.1:${matchmakerPort}`,
    ...(allocator === undefined ? {} : { ALLOCATOR_URL: allocator.url }),
  };
  const startMatchmaker = () =>
    startService('matchmaker', { port: matchmakerPort, env: matchmakerEnv, onLine: (line) => options.log(`[matchmaker] ${line}`) });
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
      await allocator?.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
