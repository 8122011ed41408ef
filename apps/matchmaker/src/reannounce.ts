// A match presented again by one of its members: answered if known, rebuilt if not (after a
// restart, or on a backup that took over the pool). The match token is the whole record.
import { Problem } from '@ticketbooth/http';
import { TicketError, createVerifier, type KeyRing, type Verified } from '@ticketbooth/tickets';
import type { Deliveries } from './deliveries.ts';
import type { Assignment, Lifecycle, MatchState } from './lifecycle.ts';
import type { TicketFacts } from './pool.ts';
import { ticketIdOf } from './ticket-check.ts';
import type { MatchEvents } from './match-events.ts';
import type { Queue } from './pool.ts';
import type { Match, MatchResult, Results } from './results.ts';

export interface ReannounceOptions {
  /** Who presents the match: a ticket, checked for its signature (its expiry does not matter here). */
  readonly tickets: { readonly ring: KeyRing; readonly issuer: string; readonly audience: string; readonly ttlMs: number };
  /** This matchmaker's match keys: a match signed by another key set is not ours to rebuild. */
  readonly matchKeys: KeyRing;
  readonly matchIssuer: string;
  readonly audience: string;
  readonly matchTokenTtlMs: number;
  readonly resultTtlMs: number;
  readonly serves: (pool: string) => boolean;
  /** The served pool key a ticket's or match's pool belongs to ("mode/region", or "mode" under a latency rule). */
  readonly poolKey: (pool: { readonly mode: string; readonly region: string }) => string;
  readonly results: Results;
  readonly queue: Queue;
  readonly events: MatchEvents;
  readonly deliveries: Deliveries;
  readonly lifecycle: Lifecycle;
  /** A banned presenter is refused here as on POST /v1/queue (a party ticket: any member). */
  readonly isRevoked: (ticket: { readonly sub: string; readonly issuedAt: number; readonly party: readonly { readonly sub: string }[] | undefined }) => boolean;
  readonly now: () => number;
}

/** What a member sends with the match it holds: its acceptance and the settled match's assignment, if it has them. */
export interface Holding {
  readonly accepted?: boolean | undefined;
  readonly assignment?: string | undefined;
}

export interface Reannounced {
  readonly result: MatchResult;
  /** The match's life after forming, when it has one (lifecycle.ts). */
  readonly state: MatchState | undefined;
  /** The presenting ticket, as the queue would hold it. */
  readonly presenter: TicketFacts;
  /** True when this matchmaker did not know the match and registered it from the token. */
  readonly rebuilt: boolean;
  /** Members taken into the rebuilt match (those not already elsewhere). */
  readonly registered: number;
  /** Every member has been answered with the match: presenting it again is no longer needed. */
  readonly delivered: boolean;
}

const NOT_IN_MATCH = new Problem(403, 'not-in-match', 'Not in this match', 'the ticket holder is not a member of the presented match');
const REVOKED = new Problem(403, 'revoked', 'Ticket revoked', 'this player may not present matches with this ticket');
const WRONG_ASSIGNMENT = new Problem(422, 'assignment-mismatch', 'Assignment of another match', 'the assignment presented is for another match');
const NOT_OURS = new Problem(422, 'match-not-ours', 'Match not signed here', 'this match was signed with a key this matchmaker does not hold');
/**
 * Issuer and matchmaker clocks differ: a member's signed `queuedAt` (issuer clock) may read up
 * to this much after the match's `iat` (matchmaker clock) for a search the match did answer.
 * The verifier's leeway on `iat`.
 */
const CLOCK_SKEW_MS = 5_000;

/**
 * @example
 * const reannounce = createReannounce({ tickets, matchKeys, ..., now: Date.now });
 * const { result, rebuilt } = reannounce(ticket, matchToken); // throws TicketError or Problem
 */
export function createReannounce(options: ReannounceOptions) {
  const { results, queue, events, deliveries, lifecycle, now } = options;
  // A member keeps presenting its match after its last ticket expired (a match token lives
  // longer): the ticket only says who presents, and its signature still must hold.
  const presenters = createVerifier({
    keys: options.tickets.ring,
    purpose: 'ticket',
    issuer: options.tickets.issuer,
    audience: options.tickets.audience,
    maxLifetimeMs: options.tickets.ttlMs,
    acceptExpiredForMs: options.matchTokenTtlMs,
    cacheSize: 10_000,
    now,
  });
  const matches = createVerifier({
    keys: options.matchKeys,
    purpose: 'match',
    issuer: options.matchIssuer,
    audience: options.audience,
    maxLifetimeMs: options.matchTokenTtlMs,
    cacheSize: 10_000,
    now,
  });
  const assignments = createVerifier({
    keys: options.matchKeys,
    purpose: 'assignment',
    issuer: options.matchIssuer,
    audience: options.audience,
    maxLifetimeMs: options.matchTokenTtlMs,
    cacheSize: 10_000,
    now,
  });

  return function reannounce(ticket: string, matchToken: string, holding: Holding = {}): Reannounced {
    const verifiedTicket = presenters.verify(ticket);
    const { claims: ticketClaims, issuedAt: ticketIssuedAt } = verifiedTicket;
    const presenter = ticketClaims.sub;
    if (options.isRevoked({ sub: presenter, issuedAt: ticketIssuedAt, party: ticketClaims.party })) throw REVOKED;
    const verified = verifyMatch(matchToken);
    const { claims, issuedAt } = verified;
    const members = claims.teams.flat();
    if (!members.some((m) => m.sub === presenter)) throw NOT_IN_MATCH;
    const pool = options.poolKey(claims.pool);
    if (!options.serves(pool)) throw new Problem(422, 'pool-not-served', 'Pool not served here', `${pool} is served by another matchmaker`);
    const assignment = holding.assignment === undefined ? undefined : verifyAssignment(holding.assignment, claims.jti);
    const facts = factsOf(verifiedTicket, ticket, pool);
    const at = now();
    const answer = (result: MatchResult, state: MatchState | undefined, registered: number): Reannounced => {
      if (state !== undefined) {
        lifecycle.presented(state, facts, holding.accepted === true);
        if (assignment !== undefined) lifecycle.settledBy(state, assignment);
      }
      if (state === undefined || state.isSettled) deliveries.answered(claims.jti, presenter);
      const delivered = state === undefined || state.isSettled ? deliveries.isComplete(claims.jti) : false;
      return { result, state, presenter: facts, rebuilt: registered > 0, registered, delivered };
    };
    const tracked = lifecycle.get(claims.jti);
    if (tracked !== undefined) return answer(tracked.result, tracked, 0);
    // Known when any member still has it (the presenter may be searching again meanwhile).
    for (const { sub } of members) {
      const known = results.latest(sub, at);
      if (known?.match.id === claims.jti) return answer(known, undefined, 0);
    }
    // Older than a result is kept: every member was answered then or gave up; nothing to rebuild.
    if (at - issuedAt >= options.resultTtlMs) {
      return { result: resultOf(verified, matchToken, at), state: undefined, presenter: facts, rebuilt: false, registered: 0, delivered: true };
    }
    const { result, state, registered } = register(verified, matchToken, at, assignment);
    return answer(result, state, registered);
  };

  function verifyAssignment(token: string, matchId: string): Assignment {
    const { claims } = assignments.verify(token);
    if (claims.match !== matchId) throw WRONG_ASSIGNMENT;
    return { token, connect: claims.connect, details: claims.details };
  }

  function factsOf({ claims, kid, issuedAt, expiresAt }: Verified<'ticket'>, token: string, pool: string): TicketFacts {
    const ticketPool = options.poolKey(claims.pool);
    return {
      sub: claims.sub,
      // The match's pool string when the same: a requeued entry joins the served pool's set.
      pool: ticketPool === pool ? pool : ticketPool,
      rating: claims.rating,
      ...(claims.uncertainty === undefined ? {} : { uncertainty: claims.uncertainty }),
      queuedAt: Date.parse(claims.queuedAt),
      party: claims.party,
      latencies: claims.latencies,
      attributes: claims.attributes,
      issuedAt,
      expiresAt,
      ticketId: ticketIdOf(token),
      kid: options.tickets.ring.get(kid)?.kid ?? kid,
    };
  }

  function verifyMatch(token: string): Verified<'match'> {
    try {
      return matches.verify(token);
    } catch (error) {
      // Not a key problem this side can wait out: the client should stop presenting it.
      if (error instanceof TicketError && error.code === 'unknown_key') throw NOT_OURS;
      throw error;
    }
  }

  function resultOf({ claims, issuedAt, expiresAt }: Verified<'match'>, token: string, at: number): MatchResult {
    const match: Match = { id: claims.jti, pool: claims.pool, teams: claims.teams, token };
    // Any search that began by the match's formation is the one it answers (clocks allowing).
    return { match, queuedAt: issuedAt + CLOCK_SKEW_MS, expiresAt: Math.min(at + options.resultTtlMs, expiresAt) };
  }

  /**
   * Every member whose search began before the match formed is taken out of the pool and
   * answered with it from now on. A member already in another match, or searching again since
   * the match formed, keeps that: a rebuilt match never pulls anyone out of another one.
   */
  function register(
    verified: Verified<'match'>,
    token: string,
    at: number,
    assignment: Assignment | undefined,
  ): { result: MatchResult; state: MatchState | undefined; registered: number } {
    const result = resultOf(verified, token, at);
    const { match } = result;
    const toTell: string[] = [];
    for (const { sub } of verified.claims.teams.flat()) {
      if (results.latest(sub, at) !== undefined) continue;
      const entry = queue.get(sub);
      if (entry !== undefined && entry.queuedAt > result.queuedAt) continue;
      if (entry !== undefined) queue.remove(sub);
      toTell.push(sub);
    }
    // Before the pushes: a push written in this turn counts as delivered, and a stream woken
    // by one tells the match's phase. A match with a life after forming (lifecycle.ts) is
    // delivered once its members hear it settled.
    const acceptBy = verified.claims.acceptBy === undefined ? undefined : Date.parse(verified.claims.acceptBy);
    let state: MatchState | undefined;
    if (lifecycle.tracks(acceptBy !== undefined)) state = lifecycle.add(result, acceptBy, verified.expiresAt, [], assignment);
    else deliveries.expect(match.id, toTell, result.expiresAt);
    for (const sub of toTell) {
      results.set(sub, result);
      events.publish(sub, result);
    }
    return { result, state, registered: toTell.length };
  }
}

export type Reannounce = ReturnType<typeof createReannounce>;
