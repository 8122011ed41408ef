// The SDK: accounts, sessions, tickets, and queue() (queue-loop.ts) following its match through
// its phases (follow.ts, proposal.ts) and holding it once settled (holding.ts).
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { holdMatch } from './holding.ts';
import { requestJson, type Fetch } from './http.ts';
import { watchPush } from './push.ts';
import { newIdempotencyKey } from './idempotency-key.ts';
import type { Confirm } from './proposal.ts';
import { runQueue } from './queue-loop.ts';
import type { Account, Explanation, Holding, Match, MatchView, Party, PartyInvite, PresentedMatch, QueueAnswer, QueueStatus, Session, TicketGrant, TicketRequest } from './types.ts';

export { refreshTimeOf } from './queue-loop.ts';
export { autoAccept, type Confirm } from './proposal.ts';

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
   * Asked once per proposed match (a mode with an accept step), e.g. to show an Accept button:
   * true accepts, false declines (then `queue()` rejects with code `declined`). A confirm that
   * throws, or has not answered by `acceptBy`, is no answer: nothing is sent and the match is
   * cancelled at its deadline. Default `autoAccept`: accept at once.
   */
  readonly confirm?: Confirm;
  /**
   * Also listen for the matchmaker's push (default true): each phase of the match arrives the
   * moment it happens instead of at the next resubmission or presentation, which also shrinks
   * the window in which a matchmaker crash can lose a formed match.
   */
  readonly push?: boolean;
  /**
   * Once settled, keep presenting the match to the matchmaker at the resubmit cadence (default
   * true) until it says every member has heard of it, `settle(match.id)`, `signal` aborts, or
   * the matchmaker refuses it (the match token expired). A matchmaker that restarted rebuilds
   * the match from it, so the members who had not heard of it yet get this match, not another.
   * (Before it settles the match is always presented: that is how its phases are learnt.)
   */
  readonly reannounce?: boolean;
}

export interface TicketboothClient {
  register(username: string, password: string): Promise<Account>;
  login(username: string, password: string): Promise<Session>;
  /** Ends every session of this account (logout everywhere). */
  logout(session: Session): Promise<void>;
  /** Creates a party for `mode` led by this player, with a first invite to share. 409 `already-in-party`. */
  createParty(session: Session, mode: string): Promise<{ party: Party; invite: PartyInvite }>;
  /** A new invite to the party (the leader only: 403 `not-party-leader`). */
  invite(session: Session, partyId: string): Promise<PartyInvite>;
  /** Joins with an invite: this player's own session is their consent. 409 `party-full`, `already-in-party`; 400 `invalid-invite`, `invite-expired`. */
  joinParty(session: Session, partyId: string, invite: string): Promise<Party>;
  /** The party this player is in, or undefined. */
  currentParty(session: Session): Promise<Party | undefined>;
  /** Leaves the party (the leader leaving disbands it), or, for the leader, removes `userId` from it. */
  leaveParty(session: Session, partyId: string, userId?: string): Promise<void>;
  /** Same `idempotencyKey`, same ticket: safe to retry. */
  requestTicket(session: Session, request: TicketRequest, extra?: TicketExtras): Promise<TicketGrant>;
  submit(grant: TicketGrant, signal?: AbortSignal): Promise<QueueAnswer>;
  /**
   * Calls `onView` with each phase of the player's match as the matchmaker pushes it; resolves
   * when the stream ends (the match settled, the ticket expired, or the stream failed).
   */
  watchMatch(grant: TicketGrant, signal: AbortSignal, onView: (view: MatchView) => void): Promise<void>;
  leave(grant: TicketGrant): Promise<void>;
  /**
   * Why this search has no match yet: the rating window, latency bound and team size now and
   * when they widen, who is compatible, the nearest who is not. 404 `not-queued` once matched
   * or gone; at most once a second (429 `explain-too-often`).
   */
  explain(grant: TicketGrant): Promise<Explanation>;
  /**
   * Accepts a proposed match with this player's own ticket; answers the match's phase (`ready`
   * once this was the last acceptance). 409 problems: `already-accepted`, `match-cancelled`,
   * `match-settled`, `no-accept-step`; 403 `not-in-match`.
   */
  accept(grant: TicketGrant, match: Match): Promise<MatchView>;
  /** Declines a proposed match: it is cancelled, and this player's search is over. Problems as `accept`. */
  decline(grant: TicketGrant, match: Match): Promise<MatchView>;
  /**
   * Presents a match this player holds, with its acceptance and assignment (`holding`): the
   * matchmaker answers its phase, or rebuilds it after a restart. `delivered`: every member has
   * been answered with it settled, so it need not be presented again.
   */
  announceMatch(grant: TicketGrant, match: Match, holding?: Holding, signal?: AbortSignal): Promise<PresentedMatch>;
  /** Stops presenting this match (see `QueueOptions.reannounce`): call once the game server has the player. */
  settle(matchId: string): void;
  /**
   * Queues until a match settles: resubmits at the server's pace with jitter, refreshes the
   * ticket before it expires (keeping the wait time), rides out restarts and overload with
   * capped backoff; answers a proposed match (`confirm`), waits for its game server, and
   * searches on when a match is cancelled through no fault of this player. Resolves with the
   * match, with its `assignment` when it has one. Rejects on a 4xx problem, when `signal`
   * aborts, with code `timed_out` when the search reached its mode's longest wait, `declined`
   * when this player declined, and `match-cancelled` (`reason`) when a match fell through and
   * this search with it.
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
 *   confirm: () => askThePlayer(), // a mode with an accept step
 * });
 * console.log(match.id, match.teams, match.assignment?.connect);
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

  const party = (id: string) => `${issuer}/v1/parties/${encodeURIComponent(id)}`;
  const client: TicketboothClient = {
    createParty: async (session, mode) =>
      (await call('POST', `${issuer}/v1/parties`, { token: session.token, body: { mode } })) as { party: Party; invite: PartyInvite },
    invite: async (session, partyId) => (await call('POST', `${party(partyId)}/invites`, { token: session.token })) as PartyInvite,
    joinParty: async (session, partyId, invite) =>
      ((await call('POST', `${party(partyId)}/members`, { token: session.token, body: { invite } })) as { party: Party }).party,
    currentParty: async (session) => {
      try {
        return ((await call('GET', `${issuer}/v1/parties/current`, { token: session.token })) as { party: Party }).party;
      } catch (error) {
        if ((error as { code?: string }).code === 'not-in-party') return undefined;
        throw error;
      }
    },
    leaveParty: async (session, partyId, userId = 'me') => {
      await call('DELETE', `${party(partyId)}/members/${encodeURIComponent(userId)}`, { token: session.token });
    },
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
    watchMatch: (grant, signal, onView) => watchPush(fetchImpl, grant, signal, onView),
    leave: async (grant) => {
      await call('DELETE', `${trim(grant.matchmakerUrl)}/v1/queue`, { token: grant.ticket });
    },
    explain: async (grant) => (await call('GET', `${trim(grant.matchmakerUrl)}/v1/queue/explain`, { token: grant.ticket })) as Explanation,
    accept: async (grant, match) =>
      (await call('POST', `${trim(grant.matchmakerUrl)}/v1/matches/accept`, { token: grant.ticket, body: { match: match.token } })) as MatchView,
    decline: async (grant, match) =>
      (await call('POST', `${trim(grant.matchmakerUrl)}/v1/matches/decline`, { token: grant.ticket, body: { match: match.token } })) as MatchView,
    announceMatch: async (grant, match, holding = {}, signal) => {
      const body = { match: match.token, ...(holding.accepted === true ? { accepted: true } : {}), ...(holding.assignment === undefined ? {} : { assignment: holding.assignment }) };
      const answer = (await call('POST', `${trim(grant.matchmakerUrl)}/v1/matches/current`, { token: grant.ticket, body, signal })) as PresentedMatch;
      return { ...answer, delivered: answer.delivered === true };
    },
    settle: (matchId) => {
      held.get(matchId)?.abort();
      held.delete(matchId);
    },
    queue: async (session, request, queueOptions = {}) => {
      const { grant, match, holding, delivered } = await runQueue({ client, session, request, backoff, random, now, ...queueOptions });
      if ((queueOptions.reannounce ?? true) && !delivered) {
        const stop = new AbortController();
        held.get(match.id)?.abort();
        held.set(match.id, stop);
        const until = queueOptions.signal ? AbortSignal.any([queueOptions.signal, stop.signal]) : stop.signal;
        void holdMatch(client, grant, match, holding, until, backoff, random).finally(() => {
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
