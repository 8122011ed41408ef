// A match presented again by one of its members: answered if known, rebuilt if not (after a
// restart, or on a backup that took over the pool). The match token is the whole record.
import { Problem } from '@ticketbooth/http';
import { createVerifier, type KeyRing, type Verified } from '@ticketbooth/tickets';
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
    const presenter = presenters.verify(ticket).claims.sub;
    const verified = matches.verify(matchToken);
    const { claims } = verified;
    const members = claims.teams.flat();
    if (!members.some((m) => m.sub === presenter)) throw NOT_IN_MATCH;
    const pool = `${claims.pool.mode}/${claims.pool.region}`;
    if (!options.serves(pool)) throw new Problem(422, 'pool-not-served', 'Pool not served here', `${pool} is served by another matchmaker`);
    const at = now();
    const known = results.latest(presenter, at);
    if (known !== undefined && known.match.id === claims.jti) {
      deliveries.answered(claims.jti, presenter);
      return { result: known, rebuilt: false, registered: 0, delivered: deliveries.isComplete(claims.jti) };
    }
    const rebuilt = register(verified, matchToken, at);
    deliveries.answered(claims.jti, presenter);
    return { ...rebuilt, rebuilt: true, delivered: deliveries.isComplete(claims.jti) };
  };

  /**
   * Every member whose search began before the match formed is taken out of the pool and
   * answered with it from now on. A member already in another match, or searching again since
   * the match formed, keeps that: a rebuilt match never pulls anyone out of another one.
   */
  function register({ claims, issuedAt, expiresAt }: Verified<'match'>, token: string, at: number): { result: MatchResult; registered: number } {
    const match: Match = { id: claims.jti, pool: claims.pool, teams: claims.teams, token };
    // Any search that began by the match's formation is the one it answers.
    const result: MatchResult = { match, queuedAt: issuedAt, expiresAt: Math.min(at + options.resultTtlMs, expiresAt) };
    const toTell: string[] = [];
    for (const { sub } of claims.teams.flat()) {
      if (results.latest(sub, at) !== undefined) continue;
      const entry = queue.get(sub);
      if (entry !== undefined && entry.queuedAt > issuedAt) continue;
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
