// What a submitted ticket's search is now. Each transition by name, decided from the ticket's
// signed facts and the clock: a restart, a refreshed ticket or a resubmission after the entry
// was dropped all reach the same answer.
import type { Deliveries } from './deliveries.ts';
import { isSettled, type MatchView } from './lifecycle.ts';
import type { Queue, QueueEntry, TicketFacts, UpsertOutcome } from './pool.ts';
import type { MatchResult, Results } from './results.ts';
import type { CheckedTicket } from './ticket-check.ts';
import type { Warmup } from './warmup.ts';

export type Submission =
  | { readonly status: 'searching'; readonly entry: QueueEntry; readonly outcome: UpsertOutcome }
  | { readonly status: 'matched'; readonly result: MatchResult; readonly view: MatchView }
  | { readonly status: 'timed_out'; readonly pool: string; readonly queuedForMs: number }
  | { readonly status: 'revoked' }
  | { readonly status: 'left' }
  /** One of the ticket's players is in another group now (their newer ticket): this one is done. */
  | { readonly status: 'party_changed' }
  | { readonly status: 'pool_not_served'; readonly pool: string }
  | { readonly status: 'at_capacity' };

export interface SubmissionDeps {
  readonly queue: Queue;
  readonly results: Results;
  readonly deliveries: Deliveries;
  readonly warmup: Warmup;
  readonly serves: (pool: string) => boolean;
  readonly isRevoked: (facts: TicketFacts) => boolean;
  readonly hasLeft: (facts: TicketFacts) => boolean;
  /** What a member is told about their match (lifecycle.ts). */
  readonly viewOf: (result: MatchResult, sub: string) => MatchView;
  readonly maxPlayers: number;
  readonly now: () => number;
}

const REVOKED: Submission = { status: 'revoked' };
const LEFT: Submission = { status: 'left' };
const AT_CAPACITY: Submission = { status: 'at_capacity' };
const PARTY_CHANGED: Submission = { status: 'party_changed' };

/**
 * @example
 * const decide = createDecide({ queue, results, deliveries, warmup, serves, isRevoked, hasLeft, viewOf, maxPlayers, now });
 * decide(await tickets.check(token)); // { status: 'searching', entry, outcome: 'added' }
 */
export function createDecide(deps: SubmissionDeps): (ticket: CheckedTicket) => Submission {
  const { queue, results, deliveries, warmup, now } = deps;

  /** Still searching: the entry this ticket's search already has. */
  function refreshed(entry: QueueEntry, at: number): Submission {
    queue.touch(entry, at);
    return { status: 'searching', entry, outcome: 'refreshed' };
  }

  /** Matched: the player (and party) are answered with the match's phase; a settled one counts as delivered. */
  function matched(result: MatchResult, facts: TicketFacts): Submission {
    const view = deps.viewOf(result, facts.sub);
    if (deliveries.size > 0 && isSettled(view)) {
      deliveries.answered(result.match.id, facts.sub);
      for (const member of facts.party ?? []) deliveries.answered(result.match.id, member.sub);
    }
    return { status: 'matched', result, view };
  }

  /** Past the mode's longest wait, from the signed queuedAt: over, never a new wait. */
  function timedOut(facts: TicketFacts, at: number): Submission {
    if (queue.get(facts.sub)?.queuedAt === facts.queuedAt) queue.remove(facts.sub);
    return { status: 'timed_out', pool: facts.pool, queuedForMs: Math.max(0, at - facts.queuedAt) };
  }

  /** Queued, or a newer ticket of the player replaces what they had; queued players are never evicted. */
  function queued(facts: TicketFacts, at: number): Submission {
    const size = facts.party === undefined ? 1 : 1 + facts.party.length;
    if (queue.get(facts.sub) === undefined && queue.players() + size > deps.maxPlayers) return AT_CAPACITY;
    const { outcome, entry } = queue.upsert(facts, at);
    if (outcome === 'regrouped') return PARTY_CHANGED;
    if (outcome === 'added') warmup.arrived(at, size, facts.queuedAt);
    return { status: 'searching', entry, outcome };
  }

  return ({ facts, entry }) => {
    const at = now();
    if (deps.isRevoked(facts)) return REVOKED;
    if (deps.hasLeft(facts)) return LEFT;
    if (entry !== undefined && entry.giveUpAt > at) return refreshed(entry, at);
    if (!deps.serves(facts.pool)) return { status: 'pool_not_served', pool: facts.pool };
    const result = results.find(facts.sub, facts.queuedAt, at);
    if (result !== undefined) return matched(result, facts);
    // A member matched in another group during this search (their own, newer ticket) has left this one.
    if (facts.party?.some((m) => results.find(m.sub, facts.queuedAt, at) !== undefined)) return PARTY_CHANGED;
    if (queue.giveUpAt(facts.pool, facts.queuedAt) <= at) return timedOut(facts, at);
    return queued(facts, at);
  };
}
