// One match followed through its phases as this player hears them (answers, presentations and
// pushes, in any order), reporting each once and saying what the search does next.
import { TicketboothError } from './errors.ts';
import type { Holding, Match, MatchView, QueueStatus } from './types.ts';

/** What the search does after a view: keep following, resolve with the settled match, or search on. */
export type Step = { readonly kind: 'following' } | { readonly kind: 'settled'; readonly match: Match } | { readonly kind: 'requeued' };

const FOLLOWING: Step = { kind: 'following' };
const REQUEUED: Step = { kind: 'requeued' };

/** Later phases rank higher: a push or a presentation that lags behind another answer never moves a match back. */
function rankOf(view: MatchView): number {
  if (view.status === 'proposed') return 0;
  if (view.status === 'ready' && view.allocating) return 1;
  return 2;
}

/**
 * @example
 * const follower = new MatchFollower(view.match, report);
 * follower.apply(view); // { kind: 'following' } while proposed or allocating
 * client.announceMatch(grant, follower.match, follower.holding);
 */
export class MatchFollower {
  /** The deadline of the accept step, once proposed (ISO time). */
  acceptBy: string | undefined;
  /** The player chose to decline: a cancel is then their own doing. */
  declined = false;
  #accepted = false;
  #acceptanceKnown = false;
  #allocatingKnown = false;
  #assignment: string | undefined;
  #rank = -1;

  constructor(
    readonly match: Match,
    private readonly report: (status: QueueStatus) => void,
  ) {}

  /**
   * What the presentations carry. `accepted` from the moment the player said yes, before the
   * accept call is answered: the matchmaker takes a presented acceptance like an explicit one,
   * so a crash between the two loses nothing.
   */
  get holding(): Holding {
    return { ...(this.#accepted ? { accepted: true } : {}), ...(this.#assignment === undefined ? {} : { assignment: this.#assignment }) };
  }

  /** True until the match leaves the accept step. */
  get isProposed(): boolean {
    return this.#rank <= 0;
  }

  /** The player said yes (see `holding`). */
  accept(): void {
    this.#accepted = true;
  }

  /** The matchmaker has the acceptance (an answer said so, or refused a second one as already accepted). */
  acceptanceRecorded(): void {
    this.#accepted = true;
    if (this.#acceptanceKnown) return;
    this.#acceptanceKnown = true;
    this.report({ status: 'accepted', match: this.match });
  }

  /**
   * Takes a view of this match. Throws TicketboothError `declined` when the match was cancelled
   * after this player declined, `match-cancelled` (with the reason) when it was cancelled and
   * the search is over.
   */
  apply(view: MatchView): Step {
    const rank = rankOf(view);
    if (rank < this.#rank) return FOLLOWING;
    this.#rank = rank;
    switch (view.status) {
      case 'proposed':
        if (this.acceptBy === undefined) {
          this.acceptBy = view.acceptBy;
          this.report({ status: 'proposed', match: this.match, acceptBy: view.acceptBy });
        }
        if (view.accepted) this.acceptanceRecorded();
        return FOLLOWING;
      case 'ready':
        // Ready after an accept step: every member, this one included, accepted.
        if (this.acceptBy !== undefined) this.acceptanceRecorded();
        if (view.allocating) {
          if (!this.#allocatingKnown) this.report({ status: 'allocating', match: this.match });
          this.#allocatingKnown = true;
          return FOLLOWING;
        }
        return this.#settled(view.assignment);
      case 'assigned':
        if (this.acceptBy !== undefined) this.acceptanceRecorded();
        return this.#settled(view.assignment);
      case 'cancelled':
        this.report({ status: 'cancelled', match: this.match, reason: view.reason, requeued: view.requeued && !this.declined });
        if (this.declined) throw declinedError(this.match);
        if (view.requeued) return REQUEUED;
        throw new TicketboothError(200, 'match-cancelled', `match ${this.match.id} was cancelled (${view.reason})`, undefined, view.reason);
    }
  }

  #settled(assignment: Match['assignment']): Step {
    this.#assignment = assignment?.token;
    const match: Match = assignment === undefined ? this.match : { ...this.match, assignment };
    if (assignment?.connect !== undefined) this.report({ status: 'assigned', match, assignment });
    else this.report({ status: 'ready', match });
    return { kind: 'settled', match };
  }
}

/** The error a search ends with when this player declined its match. */
export function declinedError(match: Match): TicketboothError {
  return new TicketboothError(200, 'declined', `this player declined match ${match.id}`, undefined, 'declined');
}
