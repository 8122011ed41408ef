// A sharded cluster for end-to-end tests (tools' startShardedCluster on a throwaway database),
// and players that speak the queue protocol as the SDK does: resubmit the ticket every interval,
// present the match once they have one, retry a failed request soon.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyRingFromFile, readKeyFile, signToken, toPasetoDate } from '@ticketbooth/tickets';
import { dropDatabase, ensureDatabase, haproxyVersion, startShardedCluster, type RunningCluster, type ShardedClusterOptions } from '@ticketbooth/tools';
import { fetch as undiciFetch, type Agent } from 'undici';

export const TEST_DATABASE_SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

/** Why the cluster tests cannot run here, or undefined. In CI a missing HAProxy is a failure, not a skip. */
export function clusterUnavailable(): string | undefined {
  if (haproxyVersion() !== undefined) return undefined;
  const why = 'haproxy is not installed (apt-get install haproxy): the cluster tests need it';
  if (process.env.CI) throw new Error(why);
  console.warn(`\n*** SKIPPED: ${why} ***\n`);
  return why;
}

export interface TestCluster extends RunningCluster {
  readonly home: string;
  readonly databaseUrl: string;
  readonly lines: string[];
  /** A ticket for `sub` in `pool`, signed with the issuers' key file, as an issuer would. */
  ticket(sub: string, pool: { mode: string; region: string }, rating: number): string;
  close(): Promise<void>;
}

export async function startTestCluster(options: Omit<ShardedClusterOptions, 'home' | 'databaseUrl' | 'adminToken'>): Promise<TestCluster> {
  const home = mkdtempSync(join(tmpdir(), 'ticketbooth-cluster-'));
  const databaseUrl = `${TEST_DATABASE_SERVER}/tb_cluster_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(databaseUrl);
  const lines: string[] = [];
  let cluster: RunningCluster;
  try {
    cluster = await startShardedCluster({
      ...options,
      home,
      databaseUrl,
      adminToken: randomBytes(24).toString('base64url'),
      onLine: (service, line) => {
        lines.push(`[${service}] ${line}`);
        if (lines.length > 2_000) lines.shift();
      },
    });
  } catch (error) {
    await dropDatabase(databaseUrl).catch(() => {});
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const key = keyRingFromFile(readKeyFile(cluster.issuerKeyFile)).signingKey();
  let jti = 0;
  return {
    ...cluster,
    home,
    databaseUrl,
    lines,
    ticket(sub, pool, rating) {
      const now = Date.now();
      return signToken(key, 'ticket', {
        iss: 'ticketbooth-issuer',
        sub,
        aud: 'ticketbooth-matchmaker',
        iat: toPasetoDate(now),
        exp: toPasetoDate(now + 120_000),
        jti: `cluster-${++jti}`,
        pool,
        rating,
        queuedAt: toPasetoDate(now),
      });
    },
    async close() {
      await cluster.stop();
      await dropDatabase(databaseUrl).catch(() => {});
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  readonly at: number;
  readonly ok: boolean;
  readonly status: number;
  readonly state?: string;
  readonly matchId?: string;
}

/**
 * A player resubmitting `ticket` to `matchmakerUrl` every `intervalMs` (with up to 10 % jitter),
 * and once matched presenting the match instead; a failed request is retried after 100 ms.
 * Every answer is kept. Stops with `stop()`.
 */
export class LoopingPlayer {
  readonly answers: Answer[] = [];
  readonly matches = new Set<string>();
  #match: string | undefined;
  #stopped = false;
  #done: Promise<void>;

  constructor(
    readonly sub: string,
    readonly ticket: string,
    readonly matchmakerUrl: string,
    intervalMs: number,
    dispatcher: Agent,
  ) {
    this.#done = this.#run(intervalMs, dispatcher);
  }

  get matchToken(): string | undefined {
    return this.#match;
  }

  async #run(intervalMs: number, dispatcher: Agent): Promise<void> {
    await sleep(Math.random() * intervalMs);
    while (!this.#stopped) {
      const answer = await this.#once(dispatcher);
      this.answers.push(answer);
      await sleep(answer.ok ? intervalMs * (0.9 + Math.random() * 0.1) : 100);
    }
  }

  async #once(dispatcher: Agent): Promise<Answer> {
    const at = Date.now();
    const presenting = this.#match !== undefined;
    try {
      const res = await undiciFetch(`${this.matchmakerUrl}/v1/${presenting ? 'matches/current' : 'queue'}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.ticket}`, ...(presenting ? { 'content-type': 'application/json' } : {}) },
        ...(presenting ? { body: JSON.stringify({ match: this.#match }) } : {}),
        dispatcher,
        signal: AbortSignal.timeout(3_000),
      });
      const body = (await res.json()) as { status?: string; match?: { id: string; token: string } };
      if (res.ok && body.match !== undefined) {
        this.matches.add(body.match.id);
        this.#match ??= body.match.token;
      }
      return { at, ok: res.ok, status: res.status, ...(body.status ? { state: body.status } : {}), ...(body.match ? { matchId: body.match.id } : {}) };
    } catch {
      return { at, ok: false, status: 0 };
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
