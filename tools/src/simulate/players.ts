// One simulated player's life: account, rating, session, then the client's queue loop, answering
// proposed matches as its choices say (choices.ts).
import { TicketboothError, createClient, matchFormedAt, type Fetch, type Match, type QueueStatus, type Session } from '@ticketbooth/client';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciInit } from 'undici';
import { playerChoices } from './choices.ts';
import type { SimPlayer } from './population.ts';
import type { RequestExtras } from './profiles.ts';
import { CLIENT_ADDRESS_HEADER } from './services.ts';

export interface PreparedPlayer {
  readonly player: SimPlayer;
  readonly sub: string;
  readonly session: Session;
  readonly fetch: Fetch;
  /** The issuer's id of the party this player queues with (formPartiesAt). */
  partyId?: string;
  /**
   * When the party's last member began joining (formPartiesAt): the issuer starts a party's
   * signed wait at its last membership change, so no earlier than this.
   */
  partySince?: number;
  /** Latencies and attributes sent with every ticket request (a party's members send their leader's). */
  readonly extras?: RequestExtras;
}

/**
 * A fetch that presents this player's own (made-up, private-range) address to the issuer, over
 * this player's own connections, as a real client has. Through one shared pool, every request
 * would scan all the simulated players' open push streams for a free connection (undici's pool
 * walks its connections in order): at 2,000 players that starved this process, and players heard
 * of their matches seconds late.
 */
export function fetchAs(index: number): Fetch {
  const address = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
  const dispatcher = new Agent({ connections: 4 });
  return async (input, init) => {
    const started = performance.now();
    const response = (await undiciFetch(input, { ...(init as UndiciInit), dispatcher, headers: { ...(init?.headers as Record<string, string>), [CLIENT_ADDRESS_HEADER]: address } })) as unknown as Response;
    requestTimes.record(`${init?.method ?? 'GET'} ${new URL(input).pathname.replace(/\/v1\/(admin|parties)\/.*/, '/v1/$1/…')}`, performance.now() - started);
    return response;
  };
}

/** Until the answer's headers, as the simulated clients saw it (their own queueing included), by request. */
export const requestTimes = {
  byRoute: new Map<string, number[]>(),
  record(route: string, ms: number): void {
    const times = this.byRoute.get(route);
    if (times === undefined) this.byRoute.set(route, [ms]);
    else if (times.length < 100_000) times.push(ms);
  },
};

const PASSWORD = 'simulated-player-password';

export async function preparePlayer(player: SimPlayer, issuerUrl: string, adminToken: string | undefined, extras?: RequestExtras): Promise<PreparedPlayer> {
  const playerFetch = fetchAs(player.index);
  const client = createClient({ issuerUrl, fetch: playerFetch });
  const account = await client.register(player.username, PASSWORD);
  if (adminToken) {
    const response = await playerFetch(`${issuerUrl}/v1/admin/users/${encodeURIComponent(account.id)}/ratings/${player.mode}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rating: player.rating }),
    });
    if (!response.ok) throw new TicketboothError(response.status, 'rating-not-set', await response.text());
  }
  const session = await client.login(player.username, PASSWORD);
  return { player, sub: account.id, session, fetch: playerFetch, ...(extras === undefined ? {} : { extras }) };
}

/**
 * Forms the crowd's parties at the issuer as friends would: the leader creates one for the mode
 * and shares the invite, each member joins with their own session. A player whose party could
 * not be formed queues solo.
 */
export async function formPartiesAt(issuerUrl: string, prepared: ReadonlyArray<PreparedPlayer | Error>): Promise<void> {
  const parties = new Map<number, PreparedPlayer[]>();
  for (const p of prepared) if (!(p instanceof Error) && p.player.party) parties.set(p.player.party.id, [...(parties.get(p.player.party.id) ?? []), p]);
  await Promise.all(
    [...parties.values()].map(async (members) => {
      const leader = members.find((m) => m.player.party!.leader);
      if (leader === undefined) return;
      let changedFrom = Date.now();
      const { party, invite } = await createClient({ issuerUrl, fetch: leader.fetch }).createParty(leader.session, leader.player.mode);
      leader.partyId = party.id;
      for (const member of members) {
        if (member === leader) continue;
        changedFrom = Date.now();
        await createClient({ issuerUrl, fetch: member.fetch }).joinParty(member.session, party.id, invite.token);
        member.partyId = party.id;
      }
      for (const member of members) member.partySince = changedFrom;
    }),
  );
}

/** How a search ended out of the queue: this player's answer, or a cancel that did not requeue it. */
export type OutReason = 'declined' | 'no_show' | 'cancelled';

/** Still in `queue()` when the run ended: where, and for how long unanswered. */
export interface Pending {
  /** The last phase reported: searching, proposed, accepted, allocating (or none yet). */
  readonly phase: string;
  /** Since a matchmaker last answered this player (since queue() began, when none has). */
  readonly unansweredForMs: number;
  /** How far past its accept deadline a match still proposed is. */
  readonly pastAcceptByMs?: number;
}

export interface QueueResult {
  /** The settled match, with its assignment when it has one. */
  readonly match?: Match;
  /** When queue() was called (ms since the epoch). */
  readonly startedAt: number;
  /** From queue() until the match settled. */
  readonly timeToMatchMs?: number;
  /** The search reached its mode's longest wait: an end state, not an error. */
  readonly timedOut?: boolean;
  readonly out?: OutReason;
  /** The reason of the cancel that ended the search (`out`). */
  readonly cancelReason?: string;
  /** Matches cancelled with this player put back in the pool. */
  readonly requeues: number;
  /** Ids of every match this player was told of, settled or not. */
  readonly seen: readonly string[];
  readonly pending?: Pending;
  readonly error?: string;
  /** Per proposal: ms from the match's formation until this player heard of it. */
  readonly proposalHeardMs: readonly number[];
  /** Per acceptance the matchmaker recorded: ms from the match's formation until this player learnt it. */
  readonly acceptanceRecordedMs: readonly number[];
}

export interface PlayOptions {
  readonly acceptRate: number;
  readonly seed: number;
  /** A matchmaker answered this player (a resubmission or a presentation). */
  readonly onAnswered?: (at: number) => void;
}

/** Requests whose answer says a matchmaker holds this player's search or match. */
function isMatchmakerAnswer(url: string, response: Response): boolean {
  if (!response.ok) return false;
  const path = new URL(url).pathname;
  return path === '/v1/queue' || path.startsWith('/v1/matches/');
}

export async function queuePlayer(
  prepared: PreparedPlayer,
  issuerUrl: string,
  signal: AbortSignal,
  onStatus: (status: QueueStatus) => void,
  play: PlayOptions,
): Promise<QueueResult> {
  let answeredAt: number | undefined;
  const answered: Fetch = async (input, init) => {
    const response = await prepared.fetch(input, init);
    if (isMatchmakerAnswer(input, response)) {
      answeredAt = Date.now();
      play.onAnswered?.(answeredAt);
    }
    return response;
  };
  const client = createClient({ issuerUrl, fetch: answered });
  const choices = playerChoices(play.seed, prepared.player.index, play.acceptRate);
  const seen = new Set<string>();
  let requeues = 0;
  let phase = 'none';
  let acceptBy: string | undefined;
  let cancelled: Match | undefined;
  const proposalHeardMs: number[] = [];
  const acceptanceRecordedMs: number[] = [];
  const follow = (status: QueueStatus) => {
    // Each phase is reported once per match: where the accept step's time went.
    if (status.status === 'proposed') proposalHeardMs.push(Date.now() - matchFormedAt(status.match.token));
    if (status.status === 'accepted') acceptanceRecordedMs.push(Date.now() - matchFormedAt(status.match.token));
    if ('match' in status) seen.add(status.match.id);
    if (status.status === 'cancelled') {
      cancelled = status.match;
      if (status.requeued) requeues++;
    }
    if (status.status === 'proposed') acceptBy = status.acceptBy;
    if (status.status !== 'refreshing' && status.status !== 'retrying') phase = status.status;
    onStatus(status);
  };
  const started = Date.now();
  const result = () => ({ startedAt: started, requeues, seen: [...seen], proposalHeardMs, acceptanceRecordedMs });
  try {
    const request = {
      mode: prepared.player.mode,
      region: prepared.player.region,
      ...prepared.extras,
      ...(prepared.partyId === undefined ? {} : { party: prepared.partyId }),
    };
    const match = await client.queue(prepared.session, request, { signal, onStatus: follow, confirm: choices.confirm });
    return { ...result(), match, timeToMatchMs: Date.now() - started };
  } catch (error) {
    if (signal.aborted) {
      const at = Date.now();
      const proposed = phase === 'proposed' || phase === 'accepted';
      const pastAcceptByMs = proposed && acceptBy !== undefined ? at - Date.parse(acceptBy) : undefined;
      return { ...result(), pending: { phase, unansweredForMs: at - (answeredAt ?? started), ...(pastAcceptByMs === undefined ? {} : { pastAcceptByMs }) } };
    }
    if (!(error instanceof TicketboothError)) return { ...result(), error: (error as Error).name };
    if (error.code === 'timed_out') return { ...result(), timedOut: true };
    if (error.code === 'declined') return { ...result(), out: 'declined', cancelReason: 'declined' };
    if (error.code === 'match-cancelled') {
      const ignored = cancelled !== undefined && choices.chosen(cancelled.id) === 'ignore';
      return { ...result(), out: ignored ? 'no_show' : 'cancelled', cancelReason: error.reason ?? 'unknown' };
    }
    return { ...result(), error: error.code };
  }
}
