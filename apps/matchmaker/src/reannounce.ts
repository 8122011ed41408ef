// A match presented again by one of its members: answered if known, rebuilt if not (after a
// restart, or on a backup that took over the pool). The match token is the whole record.
import { Problem } from '@ticketbooth/http';
import { TicketError, createVerifier, type KeyRing, type Verified } from '@ticketbooth/tickets';
import type { Deliveries } from './deliveries.ts';
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
  readonly results: Results;
  readonly queue: Queue;
  readonly events: MatchEvents;
  readonly deliveries: Deliveries;
  /** A banned presenter is refused here as on POST /v1/queue (a party ticket: any member). */
  readonly isRevoked: (ticket: { readonly sub: string; readonly issuedAt: number; readonly party: readonly { readonly sub: string }[] | undefined }) => boolean;
  readonly now: () => number;
}

export interface Reannounced {
  readonly result: MatchResult;
  /** True when this matchmaker did not know the match and registered it from the token. */
  readonly rebuilt: boolean;
  /** Members taken into the rebuilt match (those not already elsewhere). */
  readonly registered: number;
  /** Every member has been answered with the match: presenting it again is no longer needed. */
  readonly delivered: boolean;
}

const NOT_IN_MATCH = new Problem(403, 'not-in-match', 'Not in this match', 'the ticket holder is not a member of the presented match');
const REVOKED = new Problem(403, 'revoked', 'Ticket revoked', 'this player may not present matches with this ticket');
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
  const { results, queue, events, deliveries, now } = options;
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

  return function reannounce(ticket: string, matchToken: string): Reannounced {
    const { claims: ticketClaims, issuedAt: ticketIssuedAt } = presenters.verify(ticket);
    const presenter = ticketClaims.sub;
    if (options.isRevoked({ sub: presenter, issuedAt: ticketIssuedAt, party: ticketClaims.party })) throw REVOKED;
    const verified = verifyMatch(matchToken);
    const { claims, issuedAt } = verified;
    const members = claims.teams.flat();
    if (!members.some((m) => m.sub === presenter)) throw NOT_IN_MATCH;
    const pool = `${claims.pool.mode}/${claims.pool.region}`;
    if (!options.serves(pool)) throw new Problem(422, 'pool-not-served', 'Pool not served here', `${pool} is served by another matchmaker`);
    const at = now();
    // Known when any member still has it (the presenter may be searching again meanwhile).
    for (const { sub } of members) {
      const known = results.latest(sub, at);
      if (known?.match.id !== claims.jti) continue;
      deliveries.answered(claims.jti, presenter);
      return { result: known, rebuilt: false, registered: 0, delivered: deliveries.isComplete(claims.jti) };
    }
    // Older than a result is kept: every member was answered then or gave up; nothing to rebuild.
    if (at - issuedAt >= options.resultTtlMs) {
      return { result: resultOf(verified, matchToken, at), rebuilt: false, registered: 0, delivered: true };
    }
    const rebuilt = register(verified, matchToken, at);
    deliveries.answered(claims.jti, presenter);
    return { ...rebuilt, rebuilt: rebuilt.registered > 0, delivered: deliveries.isComplete(claims.jti) };
  };

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
  function register(verified: Verified<'match'>, token: string, at: number): { result: MatchResult; registered: number } {
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
    // Before the pushes: a push written in this turn counts as delivered.
    deliveries.expect(match.id, toTell, result.expiresAt);
    for (const sub of toTell) {
      results.set(sub, result);
      events.publish(sub, result);
    }
    return { result, registered: toTell.length };
  }
}

export type Reannounce = ReturnType<typeof createReannounce>;
