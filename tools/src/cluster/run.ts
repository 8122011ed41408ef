// A sharded cluster on this machine, as real processes: issuers on one PostgreSQL, matchmaker
// shards of a primary and a backup, HAProxy in front. Used by `pnpm cluster` and the
// end-to-end cluster tests; everything listens on 127.0.0.1 and stops by pid.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_CONFIG, parseSharedConfig, poolKeysOf } from '@ticketbooth/config';
import { loadOrCreateKeyFile } from '@ticketbooth/tickets';
import { freePort, startService, type ServiceProcess } from '../processes.ts';
import { checkHaproxyConfig, haproxyConfig, startHaproxy, type RunningHaproxy } from './haproxy.ts';
import { askHaproxy, parseServersState } from './haproxy-state.ts';
import { clusterLayoutSchema, shardMap, type ClusterLayout } from './layout.ts';

export interface ClusterOptions {
  /** Where the key files, the shared config, the HAProxy config and the logs go. */
  readonly home: string;
  readonly databaseUrl: string;
  readonly adminToken: string;
  /** The shared config without its shard map (the layout supplies it); default the demo config. */
  readonly shared?: Record<string, unknown>;
  /** Shards by name, each with its pools; default two shards splitting the config's pools in halves. */
  readonly shards?: Readonly<Record<string, readonly string[]>>;
  readonly issuers?: number;
  /** Without backups: one matchmaker per shard. */
  readonly backups?: boolean;
  readonly proxyPort?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly health?: { readonly intervalMs?: number; readonly fall?: number; readonly rise?: number };
  readonly onLine?: (service: string, line: string) => void;
}

export interface ClusterMatchmaker {
  readonly shard: string;
  readonly role: 'primary' | 'backup';
  readonly port: number;
  process: ServiceProcess;
  /** Starts it again on the same port (after a kill). */
  restart(): Promise<ServiceProcess>;
}

export interface RunningCluster {
  /** The one URL a game client needs: the proxy. */
  readonly url: string;
  readonly layout: ClusterLayout;
  readonly configFile: string;
  readonly issuerKeyFile: string;
  readonly issuers: ServiceProcess[];
  readonly matchmakers: ClusterMatchmaker[];
  readonly haproxy: RunningHaproxy;
  stop(): Promise<void>;
}

/** The config's pools in two halves (every other one), for a default two-shard split. */
export function splitPools(pools: readonly string[], shards = ['a', 'b']): Record<string, string[]> {
  const split: Record<string, string[]> = Object.fromEntries(shards.map((s) => [s, []]));
  pools.forEach((pool, i) => split[shards[i % shards.length]!]!.push(pool));
  return split;
}

export async function startShardedCluster(options: ClusterOptions): Promise<RunningCluster> {
  mkdirSync(options.home, { recursive: true });
  const base = options.shared ?? DEMO_CONFIG;
  const parsed = parseSharedConfig(base);
  const shardPools = options.shards ?? splitPools(poolKeysOf(parsed));
  const proxyPort = options.proxyPort ?? (await freePort());
  const issuerPorts = await Promise.all(Array.from({ length: options.issuers ?? 2 }, () => freePort()));
  const shards: ClusterLayout['shards'] = {};
  for (const [shard, pools] of Object.entries(shardPools)) {
    shards[shard] = {
      pools: [...pools],
      primary: `127.0.0.1:${await freePort()}`,
      ...(options.backups === false ? {} : { backup: `127.0.0.1:${await freePort()}` }),
    };
  }
  const layout = clusterLayoutSchema.parse({ listen: `127.0.0.1:${proxyPort}`, issuers: issuerPorts.map((p) => `127.0.0.1:${p}`), shards, health: options.health ?? {} });

  // One key file per kind, read by every replica: issuers sign alike, and a backup verifies
  // (and re-announces) the matches its primary signed.
  const issuerKeyFile = join(options.home, 'issuer-keys.json');
  const matchmakerKeyFile = join(options.home, 'matchmaker-keys.json');
  loadOrCreateKeyFile(issuerKeyFile, Date.now());
  loadOrCreateKeyFile(matchmakerKeyFile, Date.now());
  const configFile = join(options.home, 'config.json');
  writeFileSync(configFile, `${JSON.stringify({ ...base, matchmakers: shardMap(layout, parsed) }, null, 2)}\n`);
  const haproxyFile = join(options.home, 'haproxy.cfg');
  const statsSocket = join(options.home, 'haproxy.sock');
  writeFileSync(haproxyFile, haproxyConfig(layout, statsSocket));
  const invalid = checkHaproxyConfig(haproxyFile);
  if (invalid !== undefined) throw new Error(`haproxy -c refused ${haproxyFile}:\n${invalid}`);

  const url = `http://${layout.listen}`;
  const common = { TICKETBOOTH_CONFIG: configFile, TICKETBOOTH_HOME: options.home, ADMIN_TOKEN: options.adminToken, ...options.env };
  const line = (service: string) => (l: string) => options.onLine?.(service, l);
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    await Promise.all(started.splice(0).reverse().map((s) => s.stop().catch(() => {})));
  };
  try {
    const issuers: ServiceProcess[] = [];
    for (const [i, port] of issuerPorts.entries()) {
      const issuer = await startService('issuer', {
        port,
        env: { ...common, DATABASE_URL: options.databaseUrl, ISSUER_KEY_FILE: issuerKeyFile, ISSUER_TRUSTED_PROXY_HOPS: '1' },
        onLine: line(`issuer${i + 1}`),
      });
      started.push(issuer);
      issuers.push(issuer);
    }
    const matchmakers: ClusterMatchmaker[] = [];
    for (const [shard, { pools, primary, backup }] of Object.entries(layout.shards)) {
      for (const [role, address] of [['primary', primary], ['backup', backup]] as const) {
        if (address === undefined) continue;
        const port = Number(address.split(':')[1]);
        const start = () =>
          startService('matchmaker', {
            port,
            env: {
              ...common,
              ISSUER_URL: url,
              MATCHMAKER_POOLS: pools.join(','),
              MATCHMAKER_KEY_FILE: matchmakerKeyFile,
              MATCHMAKER_TRUSTED_PROXY_HOPS: '1',
            },
            onLine: line(`${shard}-${role}`),
          });
        const entry: ClusterMatchmaker = {
          shard,
          role,
          port,
          process: undefined as unknown as ServiceProcess,
          restart: async () => {
            entry.process = await start();
            started.push({ stop: () => entry.process.stop() });
            return entry.process;
          },
        };
        // Matchmakers fetch the issuer's keys through the proxy: it must be up first (below).
        matchmakers.push(entry);
      }
    }
    const haproxy = await startHaproxy(haproxyFile, layout.listen, line('haproxy'));
    started.push(haproxy);
    await Promise.all(matchmakers.map((m) => m.restart()));
    // HAProxy marks every server down until its checks pass, and a backup that passes first
    // would take its shard's first players: ready means every shard on its primary.
    await primariesUp(statsSocket, Object.keys(layout.shards));
    return { url, layout, configFile, issuerKeyFile, issuers, matchmakers, haproxy, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Waits until HAProxy has marked every shard's primary up (its health checks passed). */
async function primariesUp(statsSocket: string, shards: readonly string[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const shard of shards) {
    for (;;) {
      const up = await askHaproxy(statsSocket, `show servers state shard_${shard}`).then(
        (text) => parseServersState(text).primary === true,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline) throw new Error(`HAProxy did not mark shard ${shard}'s primary up within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
