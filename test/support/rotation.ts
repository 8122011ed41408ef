// Drives players that refresh their tickets and resubmit while the issuer's key is rotated; used by test and bench.
import { join } from 'node:path';
import { createClient, type Session, type TicketboothClient, type TicketGrant } from '@ticketbooth/client';
import { readKeyFile } from '@ticketbooth/tickets';
import { createPlayers, type Cluster, type TestPlayer } from './cluster.ts';
import { kidOf, runServiceCli, submitTicket, type QueueCall } from './operator.ts';

export interface RotationRun {
  readonly oldKid: string;
  readonly newKid: string;
  readonly activatedAt: number;
  readonly submissions: readonly RotationSubmission[];
  readonly ticketErrors: readonly unknown[];
  /** Submissions answered 503 busy and sent again after its Retry-After (the first answers are not in `submissions`). */
  readonly busyRetries: number;
}

export interface RotationSubmission {
  readonly player: number;
  readonly at: number;
  readonly kid: string;
  readonly answer: QueueCall;
}

interface Resubmitter {
  readonly client: TicketboothClient;
  readonly session: Session;
  grant?: TicketGrant;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `players` resubmit every `roundMs`, each with a fresh ticket from the issuer
 * (keeping its wait time). Meanwhile: `keys rotate`, wait two of the
 * matchmaker's key refreshes, `keys activate` (each followed by SIGHUP, as an
 * operator would), then keep going until every player was answered for a
 * new-key ticket or `maxAfterMs` passed. The players are registered over HTTP
 * unless `accounts` creates them some other way.
 */
export async function rotateUnderLoad(
  cluster: Cluster,
  options: {
    players: number;
    mode: string;
    region: string;
    roundMs: number;
    keysRefreshMs: number;
    maxAfterMs: number;
    accounts?: (cluster: Cluster, count: number, mode: string) => Promise<TestPlayer[]>;
  },
): Promise<RotationRun> {
  const pool = { mode: options.mode, region: options.region };
  const accounts = options.accounts ?? createPlayers;
  const players: Resubmitter[] = (await accounts(cluster, options.players, options.mode)).map((p) => ({
    client: createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }),
    session: p.session,
  }));
  const submissions: RotationSubmission[] = [];
  const ticketErrors: unknown[] = [];
  let busyRetries = 0;
  async function round(): Promise<void> {
    await Promise.all(
      players.map(async (player, index) => {
        try {
          player.grant = await player.client.requestTicket(player.session, pool, player.grant ? { previousTicket: player.grant.ticket } : {});
        } catch (error) {
          ticketErrors.push(error);
          return;
        }
        let answer = await submitTicket(cluster.matchmaker.url, player.grant.ticket);
        // Every player here gets a fresh ticket at the same instant: a burst of full verifies
        // the matchmaker may shed with 503 busy. A client sends it again after the 1 s its
        // Retry-After gives, as the SDK does; only the answer it ends with counts.
        for (let tries = 0; answer.status === 503 && answer.body.code === 'busy' && tries < 5; tries++) {
          busyRetries++;
          await sleep(1_000);
          answer = await submitTicket(cluster.matchmaker.url, player.grant.ticket);
        }
        submissions.push({ player: index, at: Date.now(), kid: kidOf(player.grant.ticket), answer });
      }),
    );
  }
  let stop = false;
  const load = (async () => {
    while (!stop) {
      const started = Date.now();
      await round();
      await sleep(Math.max(0, options.roundMs - (Date.now() - started)));
    }
  })();

  const keyFile = join(cluster.home, 'issuer-keys.json');
  const oldKid = readKeyFile(keyFile).active!;
  await sleep(1_000);
  await runServiceCli(cluster, 'issuer', ['keys', 'rotate']);
  process.kill(cluster.issuer.pid, 'SIGHUP');
  await sleep(2 * options.keysRefreshMs + 500);
  const activatedAt = Date.now();
  await runServiceCli(cluster, 'issuer', ['keys', 'activate']);
  process.kill(cluster.issuer.pid, 'SIGHUP');
  const newKid = readKeyFile(keyFile).active!;
  const deadline = Date.now() + options.maxAfterMs;
  while (Date.now() < deadline && new Set(submissions.filter((s) => s.kid === newKid).map((s) => s.player)).size < options.players) {
    await sleep(options.roundMs);
  }
  stop = true;
  await load;
  return { oldKid, newKid, activatedAt, submissions, ticketErrors, busyRetries };
}
