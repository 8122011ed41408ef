// Holding a settled match: presenting it to the matchmaker until every member has heard of it,
// so a matchmaker that crashed meanwhile rebuilds it instead of matching members again.
import { backoffDelay, jitter, pause, type BackoffPolicy } from './backoff.ts';
import type { TicketboothClient } from './client.ts';
import { isPassing } from './retryable.ts';
import type { Holding, Match, TicketGrant } from './types.ts';

/**
 * Presents the match at the resubmit cadence, with the player's acceptance and the assignment
 * (`holding`), until every member has been answered with it settled (then a crash can no
 * longer split it), `stop` aborts, or the matchmaker refuses it for good (expired, not ours):
 * a matchmaker that restarted meanwhile rebuilds it, settled as the assignment says. Failures
 * that pass (no answer, overload, keys not loaded yet) are retried with backoff capped at the
 * interval, as resubmissions are: a restarted matchmaker hears from holders early in its warm-up.
 */
export async function holdMatch(
  client: TicketboothClient,
  grant: TicketGrant,
  match: Match,
  holding: Holding,
  stop: AbortSignal,
  backoff: BackoffPolicy,
  random: () => number,
): Promise<void> {
  let failures = 0;
  let waitMs = jitter(grant.resubmitAfterMs, random);
  for (;;) {
    if (!(await pause(waitMs, stop))) return;
    try {
      const answer = await client.announceMatch(grant, match, holding, stop);
      if (answer.delivered || answer.status === 'cancelled') return;
      failures = 0;
      waitMs = jitter(grant.resubmitAfterMs, random);
    } catch (error) {
      if (stop.aborted || !isPassing(error)) return;
      waitMs = backoffDelay(failures++, { ...backoff, capMs: Math.min(backoff.capMs, grant.resubmitAfterMs) }, random);
    }
  }
}
