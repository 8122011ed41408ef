// The SDK: accounts, sessions, tickets, and queue() (queue-loop.ts) with the match it holds (holding.ts).
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { holdMatch } from './holding.ts';
import { requestJson, type Fetch } from './http.ts';
import { waitForPush } from './push.ts';
import { newIdempotencyKey } from './idempotency-key.ts';
import { runQueue } from './queue-loop.ts';

export { refreshTimeOf } from './queue-loop.ts';
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

function trim(url: string): string {
  return url.replace(/\/+$/, '');
}
