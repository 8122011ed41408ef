// The SDK: accounts, sessions, tickets, and the queue loop that resubmits until matched.
import { DEFAULT_BACKOFF, backoffDelay, jitter, sleep, type BackoffPolicy } from './backoff.ts';
import { TicketboothError } from './errors.ts';
import { requestJson, type Fetch } from './http.ts';
import { waitForPush } from './push.ts';
import type { Account, Match, QueueAnswer, QueueStatus, Session, TicketGrant, TicketRequest } from './types.ts';

export interface ClientOptions {
  /** Base URL of the issuer, e.g. `http://127.0.0.1:8700`. */
  readonly issuerUrl: string;
  readonly fetch?: Fetch;
  /** Per-request deadline. Default 10 s. */
  readonly timeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface QueueOptions {
  readonly signal?: AbortSignal;
  readonly onStatus?: (status: QueueStatus) => void;
  /**
   * Also listen for the matchmaker's `ready` push (default true): the match
   * arrives the moment it forms instead of at the next resubmission, which also
   * shrinks the window in which a matchmaker crash can lose a formed match.
   */
  readonly push?: boolean;
  /**
   * Once matched, keep presenting the match to the matchmaker at the resubmit cadence (default
   * true) until it says every member has heard of it, `settle(match.id)`, `signal` aborts, or
   * the matchmaker refuses it (the match token expired). A matchmaker that restarted rebuilds
   * the match from it, so the members who had not heard of it yet get this match, not another.
   */
  readonly reannounce?: boolean;
}

export interface TicketboothClient {
  register(username: string, password: string): Promise<Account>;
  login(username: string, password: string): Promise<Session>;
  /** Ends every session of this account (logout everywhere). */
  logout(session: Session): Promise<void>;
  /** Same `idempotencyKey`, same ticket: safe to retry. */
  requestTicket(session: Session, request: TicketRequest, extra?: TicketExtras): Promise<TicketGrant>;
  submit(grant: TicketGrant, signal?: AbortSignal): Promise<QueueAnswer>;
  /** Resolves with the match when the matchmaker pushes it, or undefined when the stream ends. */
  waitForMatch(grant: TicketGrant, signal: AbortSignal): Promise<Match | undefined>;
  leave(grant: TicketGrant): Promise<void>;
  /**
   * Presents a match this player holds: the matchmaker answers it, or rebuilds it after a
   * restart. `delivered`: every member has been answered with it, so it need not be presented again.
   */
  announceMatch(grant: TicketGrant, match: Match, signal?: AbortSignal): Promise<{ match: Match; delivered: boolean }>;
  /** Stops presenting this match (see `QueueOptions.reannounce`): call once the game server has the player. */
  settle(matchId: string): void;
  /**
   * Queues until matched: resubmits at the server's pace with jitter, refreshes
   * the ticket before it expires (keeping the wait time), rides out restarts and
   * overload with capped backoff. Rejects on a 4xx problem, when `signal` aborts, and with
   * code `timed_out` when the search reached its mode's longest wait (after reporting it).
   */
  queue(session: Session, request: TicketRequest, options?: QueueOptions): Promise<Match>;
}

export interface TicketExtras {
  readonly previousTicket?: string;
  readonly idempotencyKey?: string;
}

/** 401 codes after which a fresh ticket, not the caller, fixes things. */
const REFRESHABLE = new Set(['expired', 'key-inactive', 'lifetime-exceeded']);
/** A matchmaker that has not fetched a new issuer key yet: wait, it refetches. */
const WAIT_FOR_KEYS = new Set(['unknown-key']);

/**
 * @example
 * const client = createClient({ issuerUrl: 'http://127.0.0.1:8700' });
 * await client.register('ada', 'correct horse battery');
 * const session = await client.login('ada', 'correct horse battery');
 * const match = await client.queue(session, { mode: 'duel', region: 'eu' }, {
 *   onStatus: (s) => s.status === 'searching' && console.log(`searching ${s.queuedForMs} ms`),
 * });
 * console.log(match.id, match.teams);
 */
export function createClient(options: ClientOptions): TicketboothClient {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const issuer = options.issuerUrl.replace(/\/+$/, '');

  // Matches still presented, by id: `settle` stops one.
  const held = new Map<string, AbortController>();

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, extra: Partial<Parameters<typeof requestJson>[1]> = {}) =>
    requestJson(fetchImpl, { method, url, timeoutMs, ...extra });

  const client: TicketboothClient = {
    register: async (username, password) =>
      (await call('POST', `${issuer}/v1/accounts`, { body: { username, password } })) as Account,
    login: async (username, password) =>
      (await call('POST', `${issuer}/v1/sessions`, { body: { username, password } })) as Session,
    logout: async (session) => {
      await call('DELETE', `${issuer}/v1/sessions`, { token: session.token });
    },
    requestTicket: async (session, request, extra = {}) =>
      (await call('POST', `${issuer}/v1/tickets`, {
        token: session.token,
        body: { ...request, ...(extra.previousTicket ? { previousTicket: extra.previousTicket } : {}) },
        headers: { 'idempotency-key': extra.idempotencyKey ?? newIdempotencyKey(now, random) },
      })) as TicketGrant,
    submit: async (grant, signal) =>
      (await call('POST', `${trim(grant.matchmakerUrl)}/v1/queue`, { token: grant.ticket, signal })) as QueueAnswer,
    waitForMatch: (grant, signal) => waitForPush(fetchImpl, grant, signal),
    leave: async (grant) => {
      await call('DELETE', `${trim(grant.matchmakerUrl)}/v1/queue`, { token: grant.ticket });
    },
    announceMatch: async (grant, match, signal) => {
      const answer = (await call('POST', `${trim(grant.matchmakerUrl)}/v1/matches/current`, { token: grant.ticket, body: { match: match.token }, signal })) as {
        match: Match;
        delivered?: boolean;
      };
      return { match: answer.match, delivered: answer.delivered === true };
    },
    settle: (matchId) => {
      held.get(matchId)?.abort();
      held.delete(matchId);
    },
    queue: async (session, request, queueOptions = {}) => {
      const { grant, match } = await runQueue({ client, session, request, backoff, random, now, ...queueOptions });
      if (queueOptions.reannounce ?? true) {
        const stop = new AbortController();
        held.get(match.id)?.abort();
        held.set(match.id, stop);
        const until = queueOptions.signal ? AbortSignal.any([queueOptions.signal, stop.signal]) : stop.signal;
        void holdMatch(client, grant, match, until, backoff, random).finally(() => {
          if (held.get(match.id) === stop) held.delete(match.id);
        });
      }
      return match;
    },
  };
  return client;
}

interface QueueRun extends QueueOptions {
  readonly client: TicketboothClient;
  readonly session: Session;
  readonly request: TicketRequest;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  readonly now: () => number;
}

async function runQueue(run: QueueRun): Promise<{ grant: TicketGrant; match: Match }> {
  const { client, session, request, signal, random, now } = run;
  const report = run.onStatus ?? (() => {});
  let failures = 0;
  const retryAfter = async (error: Error, capMs = run.backoff.capMs): Promise<void> => {
    const server = error instanceof TicketboothError ? (error.retryAfterMs ?? 0) : 0;
    const delayMs = Math.max(server, backoffDelay(failures, { ...run.backoff, capMs: Math.min(capMs, run.backoff.capMs) }, random));
    failures++;
    report({ status: 'retrying', attempt: failures, delayMs, error });
    await sleep(delayMs, signal);
  };

  // The first ticket: nothing to fall back on, so retry until the issuer answers.
  let grant: TicketGrant | undefined;
  let firstKey = newIdempotencyKey(now, random);
  while (grant === undefined) {
    try {
      grant = await client.requestTicket(session, request, { idempotencyKey: firstKey });
    } catch (error) {
      // Retries share one key (one ticket however often we ask) until the issuer says it is too old.
      const staleKey = error instanceof TicketboothError && error.code === 'invalid-idempotency-key';
      if (staleKey) firstKey = newIdempotencyKey(now, random);
      else if (!isRetryable(error)) throw error;
      await retryAfter(error as Error);
    }
  }
  failures = 0;
  let refreshAt = refreshTimeOf(grant, now());
  let nextRefreshTry = 0;
  const push = listenForPush(client, run.push ?? true);

  try {
    for (;;) {
      signal?.throwIfAborted();
      if (push.match) {
        report({ status: 'ready', match: push.match });
        return { grant, match: push.match };
      }
      if (now() >= refreshAt && now() >= nextRefreshTry) {
        report({ status: 'refreshing' });
        try {
          grant = await client.requestTicket(session, request, { previousTicket: grant.ticket });
          refreshAt = refreshTimeOf(grant, now());
        } catch (error) {
          // An issuer that is down must not stop a queued player: keep the ticket we have.
          if (!isRetryable(error)) throw error;
          nextRefreshTry = now() + backoffDelay(0, run.backoff, random);
        }
      }
      let answer: QueueAnswer;
      try {
        answer = await client.submit(grant, signal);
      } catch (error) {
        if (error instanceof TicketboothError && error.status === 401 && REFRESHABLE.has(error.code)) {
          nextRefreshTry = 0;
          refreshAt = 0;
          await retryAfter(error);
          continue;
        }
        if (!isRetryable(error) && !(error instanceof TicketboothError && WAIT_FOR_KEYS.has(error.code))) throw error;
        // A queued player resubmits at this cadence anyway, so retrying no slower adds no load,
        // and a restarted matchmaker gets its pool back within about one interval.
        await retryAfter(error as Error, grant.resubmitAfterMs);
        continue;
      }
      failures = 0;
      if (answer.status === 'ready') {
        report({ status: 'ready', match: answer.match });
        return { grant, match: answer.match };
      }
      if (answer.status === 'timed_out') {
        report({ status: 'timed_out', queuedForMs: answer.queuedForMs });
        throw new TicketboothError(200, 'timed_out', `no match within the longest wait of ${answer.pool.mode}/${answer.pool.region} (${answer.queuedForMs} ms)`);
      }
      report({ status: 'searching', queuedForMs: answer.queuedForMs, playersInPool: answer.playersInPool });
      push.listen(grant);
      await sleep(jitter(answer.resubmitAfterMs || grant.resubmitAfterMs, random), anySignal(signal, push.arrived));
    }
  } catch (error) {
    if (push.match && !signal?.aborted) {
      report({ status: 'ready', match: push.match });
      return { grant, match: push.match };
    }
    if (signal?.aborted) {
      // Best effort: free the slot now rather than waiting for the entry to go stale.
      await client.leave(grant).catch(() => {});
    }
    throw error;
  } finally {
    push.stop();
  }
}

/**
 * Presents the match at the resubmit cadence until every member has been answered with it
 * (then a crash can no longer split it), `stop` aborts, or the matchmaker refuses it for good
 * (expired, not ours): a matchmaker that restarted meanwhile rebuilds it. Failures that pass
 * (no answer, overload, keys not loaded yet) are retried with backoff capped at the interval,
 * as resubmissions are: a restarted matchmaker hears from holders early in its warm-up.
 */
async function holdMatch(
  client: TicketboothClient,
  grant: TicketGrant,
  match: Match,
  stop: AbortSignal,
  backoff: BackoffPolicy,
  random: () => number,
): Promise<void> {
  let failures = 0;
  let waitMs = jitter(grant.resubmitAfterMs, random);
  for (;;) {
    if (!(await pause(waitMs, stop))) return;
    try {
      if ((await client.announceMatch(grant, match, stop)).delivered) return;
      failures = 0;
      waitMs = jitter(grant.resubmitAfterMs, random);
    } catch (error) {
      if (stop.aborted) return;
      if (!isRetryable(error) && !(error instanceof TicketboothError && WAIT_FOR_KEYS.has(error.code))) return;
      waitMs = backoffDelay(failures++, { ...backoff, capMs: Math.min(backoff.capMs, grant.resubmitAfterMs) }, random);
    }
  }
}

/** Waits `ms` without keeping a Node process alive for it; false when `stop` aborted first. */
function pause(ms: number, stop: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (stop.aborted) return resolve(false);
    const done = (kept: boolean) => {
      clearTimeout(timer);
      stop.removeEventListener('abort', onAbort);
      resolve(kept);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    (timer as { unref?: () => void }).unref?.();
    stop.addEventListener('abort', onAbort, { once: true });
  });
}

/** One push stream at a time, restarted after each searching answer; `arrived` aborts the wait. */
function listenForPush(client: TicketboothClient, enabled: boolean) {
  const stop = new AbortController();
  const arrived = new AbortController();
  let listening = false;
  const state = {
    match: undefined as Match | undefined,
    arrived: arrived.signal,
    listen(grant: TicketGrant) {
      if (!enabled || listening || stop.signal.aborted) return;
      listening = true;
      void client.waitForMatch(grant, stop.signal).then((match) => {
        listening = false;
        if (match === undefined) return;
        state.match = match;
        arrived.abort();
      });
    },
    stop: () => stop.abort(),
  };
  return state;
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a === undefined ? b : AbortSignal.any([a, b]);
}

/**
 * When to ask for the next ticket: halfway through the life the ticket had when it arrived,
 * and at least two resubmit intervals (plus a second) before its end. Halfway keeps honest
 * clients far from `exp` (which the matchmaker applies exactly) even when this machine's
 * clock is off from the issuer's by up to half a lifetime.
 */
export function refreshTimeOf(grant: TicketGrant, receivedAt: number): number {
  const life = Date.parse(grant.expiresAt) - receivedAt;
  if (!Number.isFinite(life)) return receivedAt;
  return receivedAt + Math.max(0, Math.min(life / 2, life - 2 * grant.resubmitAfterMs - 1_000));
}

function isRetryable(error: unknown): boolean {
  return error instanceof TicketboothError && error.isRetryable;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `<client ms>.<22 random chars>`: the issuer derives a retried request's ticket from it. */
function newIdempotencyKey(now: () => number, random: () => number): string {
  let part = '';
  for (let i = 0; i < 22; i++) part += KEY_ALPHABET[Math.floor(random() * 64)];
  return `${now()}.${part}`;
}

function trim(url: string): string {
  return url.replace(/\/+$/, '');
}
