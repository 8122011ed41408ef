// A proposed match answered for the player: `confirm` asked once within the deadline, then the
// accept or decline sent, retried while the match still waits for it.
import { backoffDelay, pause, type BackoffPolicy } from './backoff.ts';
import type { TicketboothClient } from './client.ts';
import { TicketboothError } from './errors.ts';
import type { MatchFollower } from './follow.ts';
import { isPassing, needsFreshTicket } from './retryable.ts';
import type { Match, MatchView, TicketGrant } from './types.ts';

/** Asked once per proposed match: true accepts, false declines. */
export type Confirm = (match: Match, acceptBy: string) => boolean | Promise<boolean>;

/** The default `confirm`: accept at once. */
export const autoAccept: Confirm = () => true;

/**
 * The player's answer, or undefined when `confirm` threw, answered something else than a
 * boolean, or had not answered by `acceptBy`: no answer, so nothing is sent.
 */
export async function askPlayer(confirm: Confirm, match: Match, acceptBy: string, now: () => number): Promise<boolean | undefined> {
  const leftMs = Date.parse(acceptBy) - now();
  if (!(leftMs > 0)) return undefined;
  const deadline = new AbortController();
  try {
    const answer = await Promise.race([Promise.resolve().then(() => confirm(match, acceptBy)), pause(leftMs, deadline.signal).then(() => undefined)]);
    return typeof answer === 'boolean' ? answer : undefined;
  } catch {
    return undefined;
  } finally {
    deadline.abort();
  }
}

export interface AnswerRun {
  readonly client: TicketboothClient;
  /** The current ticket: it may be refreshed while an answer is retried. */
  readonly grant: () => TicketGrant;
  readonly follower: MatchFollower;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  readonly now: () => number;
  /** The search ended: stop retrying. */
  readonly stop: AbortSignal;
}

/**
 * Sends the player's answer and returns the match's view, or undefined when there is none to
 * take: refused (the match was cancelled or settled meanwhile: the presentations tell which),
 * or given up at the deadline (past it, an acceptance still counts only when presented to a
 * matchmaker rebuilding after a restart, which the presentations do). Failures that pass are
 * retried with backoff capped at the resubmit interval.
 */
export async function sendAnswer(run: AnswerRun, answer: 'accept' | 'decline'): Promise<MatchView | undefined> {
  const { client, follower, backoff } = run;
  const deadline = Date.parse(follower.acceptBy ?? '');
  for (let failures = 0; ; failures++) {
    const grant = run.grant();
    try {
      return answer === 'accept' ? await client.accept(grant, follower.match) : await client.decline(grant, follower.match);
    } catch (error) {
      if (answer === 'accept' && error instanceof TicketboothError && (error.code === 'already-accepted' || error.code === 'match-settled')) {
        // Settled after an accept step: every member accepted, this one included.
        follower.acceptanceRecorded();
        return undefined;
      }
      if (!isPassing(error) && !needsFreshTicket(error)) return undefined;
      if (!follower.isProposed || !(run.now() < deadline)) return undefined;
      const delayMs = backoffDelay(failures, { ...backoff, capMs: Math.min(backoff.capMs, grant.resubmitAfterMs) }, run.random);
      if (!(await pause(delayMs, run.stop))) return undefined;
    }
  }
}
