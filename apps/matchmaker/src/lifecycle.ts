// A formed match after it forms: proposed -> ready -> assigned, or cancelled with the wait of
// those who did nothing wrong kept. Only matches of a mode with an accept step, or on a
// matchmaker with an allocator, have a state here; any other match is ready when it forms.
import { Problem } from '@ticketbooth/http';
import { AllocationFailed, type Allocation } from './allocator.ts';
import type { Deliveries } from './deliveries.ts';
import type { MatchEvents } from './match-events.ts';
import type { LifecycleEvent } from './observer.ts';
import type { Queue, TicketFacts } from './pool.ts';
import type { Match, MatchResult, Results } from './results.ts';

export type Phase = 'proposed' | 'ready' | 'assigned' | 'cancelled';
export type CancelReason = 'declined' | 'accept_timeout' | 'allocation_failed';

/** The signed proof that a match is settled, and the game server when one was allocated. */
export interface Assignment {
  readonly token: string;
  readonly connect?: string | undefined;
  readonly details?: Readonly<Record<string, string | number | boolean>> | undefined;
}

/** What one member is told about their match. */
export type MatchView =
  | { readonly status: 'proposed'; readonly match: Match; readonly acceptBy: number; readonly accepted: boolean }
  | { readonly status: 'ready'; readonly match: Match; readonly allocating: boolean; readonly assignment?: Assignment | undefined }
  | { readonly status: 'assigned'; readonly match: Match; readonly assignment: Assignment }
  | { readonly status: 'cancelled'; readonly match: Match; readonly reason: CancelReason; readonly requeued: boolean };

/** Nothing more will happen to the match for this member: holding it on is only for a restart. */
export function isSettled(view: MatchView): boolean {
  return view.status === 'assigned' || view.status === 'cancelled' || (view.status === 'ready' && !view.allocating);
}

/** A match with no life after forming: ready when it forms. */
export function plainView(match: Match): MatchView {
  return { status: 'ready', match, allocating: false };
}

export class MatchState {
  phase: Phase;
  /** Every member, party members included. */
  readonly members: readonly string[];
  readonly accepted = new Set<string>();
  /**
   * The newest ticket this matchmaker saw from each member's group (the formation's queue
   * entries, or presenters' tickets after a rebuild), by the ticket's `sub`: what a cancel
   * puts back in the pool, with its signed queuedAt.
   */
  readonly tickets = new Map<string, TicketFacts>();
  assignment: Assignment | undefined;
  reason: CancelReason | undefined;
  readonly requeued = new Set<string>();
  /** Who declined (or left while proposed): their search is over. */
  readonly declined = new Set<string>();

  constructor(
    readonly result: MatchResult,
    readonly acceptBy: number | undefined,
    /** When the match token expires: the assignment expires with it. */
    readonly tokenExpiresAt: number,
  ) {
    this.members = result.match.teams.flatMap((team) => team.map((m) => m.sub));
    this.phase = acceptBy === undefined ? 'ready' : 'proposed';
  }

  get match(): Match {
    return this.result.match;
  }

  /** Final for whoever holds it: nothing more will happen to this match. */
  get isSettled(): boolean {
    return this.phase === 'assigned' || this.phase === 'cancelled' || (this.phase === 'ready' && this.assignment !== undefined);
  }
}

export interface LifecycleDeps {
  readonly queue: Queue;
  readonly results: Results;
  readonly events: MatchEvents;
  readonly deliveries: Deliveries;
  /** The allocation hook (allocator.ts); without it a match is settled once ready. */
  readonly allocate: ((match: Match) => Promise<Allocation>) | undefined;
  /** Signs the `assignment` token of a settled match. */
  readonly signAssignment: (state: MatchState, allocation: Allocation | undefined) => string;
  readonly isWarmingUp: (at: number) => boolean;
  readonly onEvent: (event: LifecycleEvent) => void;
  /** Allocations in flight at most; the rest wait their turn. */
  readonly maxAllocating?: number;
  readonly now: () => number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

const ALREADY_ACCEPTED = new Problem(409, 'already-accepted', 'Already accepted', 'this player has accepted this match already');
export const NO_ACCEPT_STEP = new Problem(409, 'no-accept-step', 'Nothing to accept', 'this match has no accept step: it was ready when it formed');
const cancelledProblem = (reason: CancelReason) =>
  new Problem(409, 'match-cancelled', 'Match cancelled', `this match was cancelled (${reason})`, undefined, { reason });
const settledProblem = (phase: Phase) => new Problem(409, 'match-settled', 'Match already settled', `every member accepted: the match is ${phase}`, undefined, { phase });

/**
 * @example
 * const lifecycle = new Lifecycle({ queue, results, events, deliveries, allocate, signAssignment, ... });
 * lifecycle.formed(result, entries, acceptBy, tokenExpiresAt); // proposed
 * lifecycle.accept(state, ticketFacts);                          // ready once every member has
 */
export class Lifecycle {
  readonly #states = new Map<string, MatchState>();
  /** Only these can time out: the deadline check walks the accept window's matches, not every match kept. */
  readonly #proposed = new Set<MatchState>();
  readonly #deps: LifecycleDeps;
  #allocating = 0;
  readonly #waiting: MatchState[] = [];

  constructor(deps: LifecycleDeps) {
    this.#deps = deps;
  }

  /** Whether matches of a mode with (or without) an accept step get a state here. */
  tracks(hasAcceptStep: boolean): boolean {
    return hasAcceptStep || this.#deps.allocate !== undefined;
  }

  get(matchId: string): MatchState | undefined {
    return this.#states.get(matchId);
  }

  get size(): number {
    return this.#states.size;
  }

  /** A match formed (or rebuilt from its token) in this phase; each group's ticket kept for a requeue. */
  /** With `settled` (a member held the signed assignment through a restart) it starts settled. */
  add(result: MatchResult, acceptBy: number | undefined, tokenExpiresAt: number, tickets: Iterable<TicketFacts>, settled?: Assignment): MatchState {
    const state = new MatchState(result, acceptBy, tokenExpiresAt);
    for (const facts of tickets) state.tickets.set(facts.sub, facts);
    this.#states.set(result.match.id, state);
    if (settled !== undefined) {
      this.settledBy(state, settled);
      return state;
    }
    this.#deps.onEvent(state.phase === 'proposed' ? 'proposed' : 'ready');
    if (state.phase === 'ready') this.#ready(state);
    else this.#proposed.add(state);
    return state;
  }

  /** A member's ticket presented with the match: kept for a requeue, and its acceptance if re-sent. */
  presented(state: MatchState, ticket: TicketFacts, accepted: boolean): void {
    const held = state.tickets.get(ticket.sub);
    if (held === undefined || ticket.issuedAt > held.issuedAt) state.tickets.set(ticket.sub, ticket);
    if (!accepted || state.phase !== 'proposed' || this.#pastDeadline(state)) return;
    this.#record(state, ticket);
  }

  /** Past acceptBy, and no rebuild under way: re-sent acceptances may still be arriving during one. */
  #pastDeadline(state: MatchState): boolean {
    const at = this.#deps.now();
    return state.acceptBy! <= at && !this.#deps.isWarmingUp(at);
  }

  /** What keeps a member from answering a proposal: the problem, or nothing. */
  #checkAnswerable(state: MatchState, answered: boolean): void {
    if (state.acceptBy === undefined) throw NO_ACCEPT_STEP;
    if (state.phase === 'cancelled') throw cancelledProblem(state.reason!);
    if (answered) throw ALREADY_ACCEPTED;
    if (state.phase !== 'proposed') throw settledProblem(state.phase);
  }

  /** The explicit accept: errors for what it cannot do, the member's new view otherwise. */
  accept(state: MatchState, ticket: TicketFacts): void {
    this.#checkAnswerable(state, groupOf(ticket).every((sub) => state.accepted.has(sub)));
    if (this.#pastDeadline(state)) {
      this.cancel(state, 'accept_timeout');
      throw cancelledProblem('accept_timeout');
    }
    this.presented(state, ticket, false);
    this.#record(state, ticket);
  }

  /** The explicit decline: the match is cancelled; the decliner's search is over. */
  decline(state: MatchState, ticket: TicketFacts): void {
    this.#checkAnswerable(state, groupOf(ticket).some((sub) => state.accepted.has(sub)));
    for (const sub of groupOf(ticket)) state.declined.add(sub);
    this.cancel(state, 'declined');
  }

  /**
   * A member left the queue (DELETE /v1/queue) while their match was proposed: a decline, even
   * after accepting (they are gone; the match could not start with them), and not requeued.
   */
  left(state: MatchState, sub: string): void {
    if (state.phase !== 'proposed') return;
    state.accepted.delete(sub);
    state.declined.add(sub);
    this.cancel(state, 'declined');
  }

  /**
   * The player's tickets issued before `notBefore` were revoked (a ban) while the match was
   * proposed: their group is out, as on a decline (a party's ticket is refused with its banned
   * member), and the others go back to their pool. A member whose ticket this process has not
   * seen (a rebuild they have not come back to yet) is covered when the ban came after the
   * match formed: every ticket it was formed from is older.
   */
  revoked(state: MatchState, sub: string, notBefore: number): void {
    if (state.phase !== 'proposed') return;
    const ticket = [...state.tickets.values()].find((t) => groupOf(t).includes(sub));
    const covered = ticket === undefined ? notBefore > state.result.queuedAt : ticket.issuedAt < notBefore;
    if (!covered) return;
    for (const member of ticket === undefined ? [sub] : groupOf(ticket)) {
      state.accepted.delete(member);
      state.declined.add(member);
    }
    this.cancel(state, 'declined');
  }

  /**
   * Cancels the match. Members who did nothing wrong (who accepted; everyone when allocation
   * failed) go back to their pool at once with their signed queuedAt, from the newest ticket
   * seen from them; the others are answered `cancelled` for this search.
   */
  cancel(state: MatchState, reason: CancelReason): void {
    if (state.phase === 'cancelled' || state.phase === 'assigned') return;
    const { queue, results, events, now } = this.#deps;
    const at = now();
    state.phase = 'cancelled';
    state.reason = reason;
    this.#proposed.delete(state);
    this.#deps.onEvent(reason);
    // A decline ends the decliner's search only: members still within the deadline did nothing wrong.
    const keepsWait = (sub: string) => reason === 'allocation_failed' || state.accepted.has(sub) || (reason === 'declined' && !state.declined.has(sub));
    for (const sub of state.members) if (keepsWait(sub)) state.requeued.add(sub);
    for (const facts of state.tickets.values()) {
      if (!groupOf(facts).every(keepsWait) || facts.expiresAt <= at) continue;
      // Unless the player queued a newer search meanwhile: then that one stands.
      const current = queue.get(facts.sub);
      if (current === undefined || current.queuedAt <= facts.queuedAt) queue.upsert(facts, at);
    }
    for (const sub of state.members) {
      // Requeued: their search is no longer answered by this match. The rest keep being told.
      if (state.requeued.has(sub)) results.forget(sub, state.match.id);
      events.publish(sub, state.result);
    }
    if (state.requeued.size > 0) this.#deps.onEvent('requeued');
  }

  /** What `sub` is told about the match. */
  view(state: MatchState, sub: string): MatchView {
    const { match } = state;
    switch (state.phase) {
      case 'proposed':
        return { status: 'proposed', match, acceptBy: state.acceptBy!, accepted: state.accepted.has(sub) };
      case 'ready':
        return { status: 'ready', match, allocating: state.assignment === undefined, assignment: state.assignment };
      case 'assigned':
        return { status: 'assigned', match, assignment: state.assignment! };
      case 'cancelled':
        return { status: 'cancelled', match, reason: state.reason!, requeued: state.requeued.has(sub) };
    }
  }

  /** A member holding the signed assignment after a restart: the match is settled as it says. */
  settledBy(state: MatchState, assignment: Assignment): void {
    if (state.isSettled) return;
    for (const sub of state.members) state.accepted.add(sub);
    this.#settle(state, assignment);
  }

  /** Accept deadlines (decided from the signed acceptBy, never while a rebuild is under way); forgets old states. */
  tick(at: number): void {
    // Added in about the order they expire: stop at the first one still kept.
    for (const [id, state] of this.#states) {
      if (state.result.expiresAt > at) break;
      this.#states.delete(id);
      this.#proposed.delete(state);
    }
    if (this.#deps.isWarmingUp(at)) return;
    for (const state of this.#proposed) {
      if (state.phase !== 'proposed') this.#proposed.delete(state);
      else if (state.acceptBy! <= at) this.cancel(state, 'accept_timeout');
    }
  }

  #record(state: MatchState, ticket: TicketFacts): void {
    const before = state.accepted.size;
    for (const sub of groupOf(ticket)) if (state.members.includes(sub)) state.accepted.add(sub);
    if (state.accepted.size === before) return;
    this.#deps.onEvent('accepted');
    if (state.accepted.size < state.members.length) {
      // The others are told who has accepted so far only when they ask; the acceptor's stream hears it now.
      this.#deps.events.publish(ticket.sub, state.result);
      return;
    }
    state.phase = 'ready';
    this.#deps.onEvent('ready');
    this.#ready(state);
  }

  /** Ready: settled at once without an allocator, else allocated (again, after a restart: idempotent). */
  #ready(state: MatchState): void {
    if (this.#deps.allocate === undefined) {
      // A mode without an accept step needs no proof: its match token is one.
      this.#settle(state, state.acceptBy === undefined ? undefined : { token: this.#deps.signAssignment(state, undefined) });
      return;
    }
    this.#publish(state);
    this.#waiting.push(state);
    this.#pump();
  }

  #pump(): void {
    const max = this.#deps.maxAllocating ?? 64;
    while (this.#allocating < max && this.#waiting.length > 0) {
      const state = this.#waiting.shift()!;
      if (state.phase !== 'ready' || state.assignment !== undefined) continue;
      this.#allocating++;
      const started = performance.now();
      this.#deps
        .allocate!(state.match)
        .then(
          (allocation) => {
            if (state.phase !== 'ready' || state.assignment !== undefined) return;
            this.#deps.onEvent('assigned');
            this.#settle(state, { token: this.#deps.signAssignment(state, allocation), connect: allocation.connect, details: allocation.details });
          },
          (error: unknown) => {
            this.#deps.log?.('allocation failed: match cancelled, members back in their pool', {
              match: state.match.id,
              err: error instanceof Error ? error.message : String(error),
              attempts: error instanceof AllocationFailed ? error.attempts : undefined,
              ms: Math.round(performance.now() - started),
            });
            this.cancel(state, 'allocation_failed');
          },
        )
        .finally(() => {
          this.#allocating--;
          this.#pump();
        });
    }
  }

  #settle(state: MatchState, assignment: Assignment | undefined): void {
    state.assignment = assignment;
    state.phase = assignment?.connect === undefined ? 'ready' : 'assigned';
    // From now on a member stops presenting once every member has heard the settled state.
    this.#deps.deliveries.expect(state.match.id, state.members, state.result.expiresAt);
    this.#publish(state);
  }

  #publish(state: MatchState): void {
    for (const sub of state.members) this.#deps.events.publish(sub, state.result);
  }
}

/** The players one ticket speaks for: its holder and party. */
function groupOf(ticket: TicketFacts): string[] {
  return ticket.party === undefined ? [ticket.sub] : [ticket.sub, ...ticket.party.map((m) => m.sub)];
}
