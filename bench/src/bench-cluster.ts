// The sharded cluster the cluster part measures: tools' startShardedCluster (issuers on
// PostgreSQL, matchmakers, HAProxy) on a throwaway database, every process tracked by pid so
// the suite kills it on any exit, and HAProxy's view of each server from its stats socket.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyRingFromFile, readKeyFile } from '@ticketbooth/tickets';
import {
  askHaproxy,
  dropDatabase,
  ensureDatabase,
  haproxyVersion,
  parseServersState,
  startShardedCluster,
  type ClusterMatchmaker,
  type RunningCluster,
  type ShardedClusterOptions,
} from '@ticketbooth/tools';
import { track } from './children.ts';

export interface BenchCluster extends RunningCluster {
  /** The issuers' signing key (PASERK), for tickets signed as an issuer would. */
  readonly secret: string;
  matchmaker(shard: string, role: 'primary' | 'backup'): ClusterMatchmaker;
  /** HAProxy's operational state of each server of a shard's backend: true while it serves. */
  serversUp(shard: string): Promise<Record<string, boolean>>;
  close(): Promise<void>;
}

/** Runs `work` with a new database `tb_bench_<hex>` on `server`, dropped afterwards. */
export async function withThrowawayDatabase<T>(server: string, work: (databaseUrl: string) => Promise<T>): Promise<T> {
  if (haproxyVersion() === undefined) throw new Error('haproxy is not installed (apt-get install haproxy): the cluster part needs it');
  const databaseUrl = `${server.replace(/\/+$/, '')}/tb_bench_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(databaseUrl);
  try {
    return await work(databaseUrl);
  } finally {
    await dropDatabase(databaseUrl);
  }
}

export async function startBenchCluster(
  databaseUrl: string,
  options: Omit<ShardedClusterOptions, 'home' | 'databaseUrl' | 'adminToken'>,
): Promise<BenchCluster> {
  const home = mkdtempSync(join(tmpdir(), 'tb-bench-cluster-'));
  // A service that fails to start says why in the error, with the last lines it printed.
  const cluster = await startShardedCluster({ ...options, home, databaseUrl, adminToken: randomBytes(24).toString('base64url') }).catch((error: unknown) => {
    rmSync(home, { recursive: true, force: true });
    throw error;
  });
  for (const p of [...cluster.issuers, ...cluster.matchmakers.map((m) => m.process), cluster.haproxy]) track(p.pid);
  const socket = join(home, 'haproxy.sock');
  const serversUp = async (shard: string) => parseServersState(await askHaproxy(socket, `show servers state shard_${shard}`));
  // HAProxy marks every server down while the matchmakers start, and marks them up `rise` checks
  // after they listen: until then a shard answers 503, or is served by its backup when that one
  // rose first. Nothing is measured before every shard is its primary's.
  const deadline = Date.now() + 10 * cluster.layout.health.intervalMs * cluster.layout.health.rise;
  for (const shard of Object.keys(cluster.layout.shards)) {
    while ((await serversUp(shard)).primary !== true) {
      if (Date.now() > deadline) {
        await cluster.stop();
        rmSync(home, { recursive: true, force: true });
        throw new Error(`HAProxy never marked shard ${shard}'s primary up`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    ...cluster,
    secret: keyRingFromFile(readKeyFile(cluster.issuerKeyFile)).signingKey().paserk,
    matchmaker(shard, role) {
      const found = cluster.matchmakers.find((m) => m.shard === shard && m.role === role);
      if (found === undefined) throw new TypeError(`no ${role} in shard ${shard}`);
      return found;
    },
    serversUp,
    async close() {
      await cluster.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
