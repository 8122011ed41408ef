// Both services as real processes on free loopback ports, with a throwaway dev state.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Fetch, type Session } from '@ticketbooth/client';
import { freePort, startService, type ServiceProcess } from '@ticketbooth/tools';

export { freePort };

export const ADDRESS_HEADER = 'x-forwarded-for';

export interface ClusterOptions {
  readonly resubmitMs: number;
  readonly warmupMs: number;
  readonly ticketTtlMs?: number;
  readonly extraMatchmakerEnv?: Record<string, string>;
  /** A shared config file for both services (modes, regions...), instead of the demo one. */
  readonly sharedConfig?: Record<string, unknown>;
}

export interface Cluster {
  readonly home: string;
  readonly adminToken: string;
  readonly matchmakerPort: number;
  issuer: ServiceProcess;
  matchmaker: ServiceProcess;
  startIssuer(): Promise<ServiceProcess>;
  startMatchmaker(env?: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
  log: string[];
}


export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const home = mkdtempSync(join(tmpdir(), 'ticketbooth-e2e-'));
  const adminToken = randomBytes(24).toString('base64url');
  const [issuerPort, matchmakerPort] = [await freePort(), await freePort()];
  const log: string[] = [];
  const configFile = join(home, 'config.json');
  if (options.sharedConfig) writeFileSync(configFile, JSON.stringify(options.sharedConfig));
  const common = {
    ...(options.sharedConfig ? { TICKETBOOTH_CONFIG: configFile } : {}),
    TICKETBOOTH_HOME: home,
    ADMIN_TOKEN: adminToken,
    RESUBMIT_INTERVAL_MS: String(options.resubmitMs),
    ISSUER_CLIENT_ADDRESS_HEADER: ADDRESS_HEADER,
    ...(options.ticketTtlMs ? { TICKET_TTL_MS: String(options.ticketTtlMs) } : {}),
  };
  const cluster: Cluster = {
    home,
    adminToken,
    matchmakerPort,
    issuer: undefined as unknown as ServiceProcess,
    matchmaker: undefined as unknown as ServiceProcess,
    log,
    async startIssuer() {
      cluster.issuer = await startService('issuer', {
        port: issuerPort,
        env: { ...common, MATCHMAKER_URL: `http://127.0.0.1:${matchmakerPort}` },
        onLine: (l) => log.push(`[issuer] ${l}`),
      });
      return cluster.issuer;
    },
    async startMatchmaker(env = {}) {
      cluster.matchmaker = await startService('matchmaker', {
        port: matchmakerPort,
        env: {
          ...common,
          ISSUER_URL: `http://127.0.0.1:${issuerPort}`,
          MATCHMAKER_URL: `http://127.0.0.1:${matchmakerPort}`,
          WARMUP_MS: String(options.warmupMs),
          ...options.extraMatchmakerEnv,
          ...env,
        },
        onLine: (l) => log.push(`[matchmaker] ${l}`),
      });
      return cluster.matchmaker;
    },
    async stop() {
      await Promise.all([cluster.matchmaker?.stop(), cluster.issuer?.stop()]);
      rmSync(home, { recursive: true, force: true });
    },
  };
  await cluster.startIssuer();
  await cluster.startMatchmaker();
  return cluster;
}

export interface TestPlayer {
  readonly username: string;
  readonly id: string;
  readonly session: Session;
  readonly fetch: Fetch;
}

/** A fetch presenting its own client address, so per-address login limits see many players. */
export function fetchFrom(address: string): Fetch {
  return (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), [ADDRESS_HEADER]: address } });
}

/** Registers, rates and logs in `count` players. */
export async function createPlayers(
  cluster: Cluster,
  count: number,
  mode: string,
  rating: (i: number) => number = () => 1500,
): Promise<TestPlayer[]> {
  const run = randomBytes(3).toString('hex');
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const playerFetch = fetchFrom(`10.0.${i >> 8}.${i & 255}`);
      const client = createClient({ issuerUrl: cluster.issuer.url, fetch: playerFetch });
      const username = `p${run}-${i}`;
      const account = await client.register(username, 'a-long-enough-password');
      const response = await fetch(`${cluster.issuer.url}/v1/admin/users/${account.id}/ratings/${mode}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ rating: rating(i) }),
      });
      if (!response.ok) throw new Error(`rating not set: ${response.status} ${await response.text()}`);
      const session = await client.login(username, 'a-long-enough-password');
      return { username, id: account.id, session, fetch: playerFetch };
    }),
  );
}

export async function poolSizes(matchmakerUrl: string): Promise<number> {
  const body = (await (await fetch(`${matchmakerUrl}/v1/pools`)).json()) as { pools: Array<{ players: number }> };
  return body.pools.reduce((sum, pool) => sum + pool.players, 0);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
