// The soak's players: the simulator's accounts and the SDK's queue loop, with churn. Each of
// N slots searches until matched (then plays and searches again) or out of patience (then
// leaves with DELETE /v1/queue, or vanishes without a word), and leavers are often replaced
// by brand-new accounts.
import { setMaxListeners } from 'node:events';
import { TicketboothError, createClient, type QueueStatus } from '@ticketbooth/client';
import { normal, seededRandom, type SimPlayer } from '../../tools/src/simulate/population.ts';
import { preparePlayer, type PreparedPlayer } from '../../tools/src/simulate/players.ts';

/** A search ends by leaving after this long without a match (uniform); some players are impatient. */
const PATIENCE_MS: Range = [60_000, 240_000];
const IMPATIENT_MS: Range = [5_000, 30_000];
const IMPATIENT_SHARE = 0.15;
/** A matched player plays this long before searching again. */
const PLAY_MS: Range = [20_000, 90_000];
/** A player who left comes back (or is replaced) after this long. */
const AWAY_MS: Range = [5_000, 30_000];
/** Of those who run out of patience: share replaced by a new account, share that vanish without DELETE. */
const NEW_ACCOUNT_SHARE = 0.5;
const VANISH_SHARE = 0.1;
const MODES = ['duel', 'squad'];
const REGIONS = ['eu', 'na'];

type Range = readonly [number, number];

export interface CrowdOptions {
  readonly players: number;
  readonly issuerUrl: string;
  readonly adminToken: string;
  /** Slots begin their first search spread over this long. */
  readonly rampMs: number;
  readonly seed: number;
  /** Names the accounts, so two runs against one issuer do not collide. */
  readonly runId: string;
  readonly log: (line: string) => void;
}

export interface CrowdCounts {
  /** Accounts registered and logged in (the first N and every replacement). */
  accounts: number;
  searches: number;
  /** Searches currently running (queued, waiting for an answer or retrying). */
  searching: number;
  matched: number;
  /** Ran out of patience and left with DELETE /v1/queue. */
  left: number;
  /** Ran out of patience and stopped resubmitting without a DELETE. */
  vanished: number;
  /** Tickets refreshed from the issuer during a search. */
  refreshes: number;
  /** Retries inside the SDK's loop, by error code. */
  retries: Record<string, number>;
  /** Searches or sign-ups that failed, by error code. */
  errors: Record<string, number>;
}

export interface Crowd {
  readonly counts: CrowdCounts;
  /** Resolves once the first N accounts are ready; the slots then begin searching. */
  readonly prepared: Promise<void>;
  /** Aborts every search (each leaves, as the SDK does on abort) and waits for the slots to end. */
  stop(): Promise<void>;
}

/** A signed-up account; `offline` makes its requests fail, its DELETE included, as for a lost connection. */
interface Player {
  prepared: PreparedPlayer;
  offline: boolean;
}

export function startCrowd(o: CrowdOptions): Crowd {
  const random = seededRandom(o.seed);
  const between = ([low, high]: Range) => low + random() * (high - low);
  const counts: CrowdCounts = { accounts: 0, searches: 0, searching: 0, matched: 0, left: 0, vanished: 0, refreshes: 0, retries: {}, errors: {} };
  const stopping = new AbortController();
  // Every slot waits on this one signal (a sleep or a search each): not a leak.
  setMaxListeners(0, stopping.signal);
  let nextIndex = 0;

  function newIdentity(): SimPlayer {
    const index = nextIndex++;
    return {
      index,
      username: `soak-${o.runId}-${index}`,
      rating: Math.round(Math.min(4000, Math.max(0, normal(random, 1500, 300)))),
      mode: MODES[Math.floor(random() * MODES.length)]!,
      region: REGIONS[Math.floor(random() * REGIONS.length)]!,
      arrivesAtMs: 0,
    };
  }

  async function signUp(): Promise<Player> {
    // preparePlayer's fetch gives each player its own address (the issuer limits sign-ups per
    // address); the player's own wraps it with the off switch.
    const prepared = await preparePlayer(newIdentity(), o.issuerUrl, o.adminToken);
    const player: Player = { prepared, offline: false };
    player.prepared = {
      ...prepared,
      fetch: (input, init) => (player.offline ? Promise.reject(new TypeError('fetch failed: player offline')) : prepared.fetch(input, init)),
    };
    counts.accounts++;
    return player;
  }

  /** Signs up until it works (or the run stops): the issuer may be busy hashing passwords. */
  async function signUpRetrying(): Promise<Player | undefined> {
    while (!stopping.signal.aborted) {
      try {
        return await signUp();
      } catch (error) {
        count(counts.errors, `sign-up:${codeOf(error)}`);
        await sleep(5_000, stopping.signal);
      }
    }
    return undefined;
  }

  /** One search through the SDK; resolves how it ended. */
  async function search(player: Player): Promise<'matched' | 'left' | 'vanished' | 'stopped' | 'failed'> {
    const client = createClient({ issuerUrl: o.issuerUrl, fetch: player.prepared.fetch });
    const giveUp = new AbortController();
    const vanish = random() < VANISH_SHARE;
    const onStop = () => giveUp.abort();
    stopping.signal.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(() => {
      // Offline first: the SDK's best-effort DELETE on abort then never reaches the matchmaker.
      if (vanish) player.offline = true;
      giveUp.abort();
    }, between(random() < IMPATIENT_SHARE ? IMPATIENT_MS : PATIENCE_MS));
    const onStatus = (update: QueueStatus) => {
      if (update.status === 'refreshing') counts.refreshes++;
      if (update.status === 'retrying') count(counts.retries, codeOf(update.error));
    };
    counts.searches++;
    counts.searching++;
    try {
      const { mode, region } = player.prepared.player;
      await client.queue(player.prepared.session, { mode, region }, { signal: giveUp.signal, onStatus });
      return 'matched';
    } catch (error) {
      if (stopping.signal.aborted) return 'stopped';
      if (giveUp.signal.aborted) return vanish ? 'vanished' : 'left';
      count(counts.errors, codeOf(error));
      return 'failed';
    } finally {
      counts.searching--;
      clearTimeout(timer);
      stopping.signal.removeEventListener('abort', onStop);
      player.offline = false;
    }
  }

  async function runSlot(first: Player, startAfterMs: number): Promise<void> {
    let player: Player | undefined = first;
    await sleep(startAfterMs, stopping.signal);
    while (player !== undefined && !stopping.signal.aborted) {
      const outcome = await search(player);
      if (outcome === 'stopped') return;
      if (outcome === 'matched') {
        counts.matched++;
        await sleep(between(PLAY_MS), stopping.signal);
        continue;
      }
      if (outcome === 'left') counts.left++;
      if (outcome === 'vanished') counts.vanished++;
      await sleep(outcome === 'failed' ? 5_000 : between(AWAY_MS), stopping.signal);
      // A failed search (an expired session, say) also starts over with a new account.
      if (outcome === 'failed' || random() < NEW_ACCOUNT_SHARE) player = await signUpRetrying();
    }
  }

  const slots: Promise<void>[] = [];
  const prepared = (async () => {
    const ready = await inParallel(o.players, 8, () => signUpRetrying(), (done) => done % 250 === 0 && o.log(`  soak: ${done} of ${o.players} players signed up`));
    for (const player of ready) if (player !== undefined) slots.push(runSlot(player, random() * o.rampMs));
  })();

  return {
    counts,
    prepared,
    async stop() {
      stopping.abort();
      await prepared.catch(() => {});
      await Promise.all(slots);
    },
  };
}

/** `total` results of `work`, at most `limit` running at once. */
async function inParallel<T>(total: number, limit: number, work: () => Promise<T>, progress: (done: number) => void): Promise<T[]> {
  const results: T[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, total) }, async () => {
      while (started < total) {
        started++;
        results.push(await work());
        progress(results.length);
      }
    }),
  );
  return results;
}

function codeOf(error: unknown): string {
  if (error instanceof TicketboothError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no listener behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
