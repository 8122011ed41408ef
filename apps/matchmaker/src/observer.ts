// What the matchmaker reports as it works, for whoever counts it (metrics.ts): the domain
// knows no metrics library, and a test or bench can run it with nobody listening.
import type { DropReason } from './pool.ts';

/** How a submission ended, as counted: its status, or why it got none. */
export type SubmissionOutcome = 'proposed' | 'ready' | 'assigned' | 'cancelled' | 'timed_out' | 'left' | 'revoked' | 'pool_not_served' | 'at_capacity' | 'superseded' | 'party_changed' | 'invalid';

export interface Observer {
  submitted(outcome: SubmissionOutcome): void;
  dropped(reason: DropReason | 'revoked'): void;
  reannounced(outcome: 'known' | 'rebuilt'): void;
  /** A step of a match's life after forming (lifecycle.ts). */
  lifecycle(event: LifecycleEvent): void;
  /** One pool's matches formed in one tick, and how long forming them took. */
  formed(pool: string, matches: readonly FormedFigures[], tickSeconds: number): void;
}

export interface FormedFigures {
  /** Each entry's wait, from its signed queuedAt to the match. */
  readonly waitsMs: readonly number[];
  readonly ratingSpread: number;
  readonly imbalance: number;
}

/** Steps after forming: phases entered, acceptances, and why matches were cancelled. */
export type LifecycleEvent = 'proposed' | 'accepted' | 'ready' | 'assigned' | 'declined' | 'accept_timeout' | 'allocation_failed' | 'requeued';

export const UNOBSERVED: Observer = { submitted() {}, dropped() {}, reannounced() {}, lifecycle() {}, formed() {} };
