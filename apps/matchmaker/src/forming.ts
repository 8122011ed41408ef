// Forming matches on the tick: each served pool's waiting entries into matches, each match
// signed (a slice at a time), its members taken out of the pool and told.
import type { ModeRules } from '@ticketbooth/config';
import { signToken, toPasetoDate, type KeyRing, type Member, type Pool } from '@ticketbooth/tickets';
import { formMatches, type FormedMatch, type MatchRules } from './form-matches.ts';
import type { Deliveries } from './deliveries.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { MatchEvents } from './match-events.ts';
import type { MatchSigner } from './match-signing.ts';
import type { MatchmakerSettings } from './matchmaker.ts';
import type { FormedFigures, Observer } from './observer.ts';
import type { Queue, QueueEntry } from './pool.ts';
import type { MatchResult, Results } from './results.ts';
import type { WaitEstimates } from './wait-estimate.ts';

export interface ServedPool {
  readonly key: string;
  /** Without a region under a latency rule: each match is then placed in one. */
  readonly pool: { readonly mode: string; readonly region?: string };
  readonly rules: ModeRules;
  /** The mode's rules as formation reads them (with the config's regions for a latency rule). */
  readonly matchRules: MatchRules;
  matchesFormed: number;
}

export interface FormingDeps {
  readonly settings: MatchmakerSettings;
  readonly served: ReadonlyMap<string, ServedPool>;
  readonly matchKeys: KeyRing;
  readonly signer: MatchSigner;
  readonly queue: Queue;
  readonly results: Results;
  readonly events: MatchEvents;
  readonly deliveries: Deliveries;
  readonly lifecycle: Lifecycle;
  readonly observer: Observer;
  readonly waits: WaitEstimates;
  readonly newId: () => string;
}

export function createForming(deps: FormingDeps) {
  const { settings, served, matchKeys, signer, queue, results, events, deliveries, lifecycle, observer, waits, newId } = deps;

  /** Forms what each served pool can, now; returns how many matches formed. */
  function form(at: number): number {
    let formed = 0;
    for (const pool of served.values()) {
      const started = performance.now();
      const matches = formMatches(queue.snapshot(pool.key), pool.matchRules, at);
      const figures = matches.map((match) => settle(pool, match, at));
      formed += matches.length;
      waits.record(pool.key, at, figures.flatMap((f) => f.waitsMs));
      observer.formed(pool.key, figures, (performance.now() - started) / 1000);
    }
    return formed;
  }

  function settle(pool: ServedPool, formed: FormedMatch<QueueEntry>, at: number): FormedFigures {
    const id = newId();
    const teams: Member[][] = formed.teams;
    const key = matchKeys.signingKey();
    const acceptBy = pool.rules.accept === undefined ? undefined : at + pool.rules.accept.timeoutMs;
    const region = formed.region ?? pool.pool.region;
    if (region === undefined) throw new TypeError(`pool ${pool.key}: a match formed without a region`);
    const placed: Pool = { mode: pool.pool.mode, region };
    const match = signer.add({ id, pool: placed, teams }, () =>
      signToken(key, 'match', {
        iss: settings.matchIssuer,
        sub: id,
        aud: settings.shared.audiences.match,
        iat: toPasetoDate(at),
        exp: toPasetoDate(at + settings.matchTokenTtlMs),
        jti: id,
        pool: placed,
        teams,
        ...(acceptBy === undefined ? {} : { acceptBy: toPasetoDate(acceptBy) }),
      }),
    );
    const expiresAt = at + settings.resultTtlMs;
    if (lifecycle.tracks(acceptBy !== undefined)) {
      lifecycle.add({ match, queuedAt: at, expiresAt }, acceptBy, at + settings.matchTokenTtlMs, formed.entries);
    } else {
      // Before the pushes below: a push can be written (and count as delivered) in the same turn.
      deliveries.expect(id, teams.flat().map((m) => m.sub), at + settings.resultTtlMs);
    }
    for (const entry of formed.entries) {
      queue.remove(entry.sub);
      const result: MatchResult = { match, queuedAt: entry.queuedAt, expiresAt };
      results.set(entry.sub, result);
      events.publish(entry.sub, result);
      for (const member of entry.party ?? []) {
        results.set(member.sub, result);
        events.publish(member.sub, result);
      }
    }
    pool.matchesFormed++;
    return { waitsMs: formed.entries.map((entry) => Math.max(0, at - entry.queuedAt)), ratingSpread: formed.ratingSpread, imbalance: formed.imbalance };
  }

  return { form };
}
