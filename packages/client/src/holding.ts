// Holding a match: presenting it to the matchmaker until every member has heard of it, so a
// matchmaker that crashed meanwhile rebuilds it instead of matching members again.
import { backoffDelay, jitter, type BackoffPolicy } from './backoff.ts';
import type { TicketboothClient } from './client.ts';
import { TicketboothError } from './errors.ts';
import { WAIT_FOR_KEYS, isRetryable } from './queue-loop.ts';
import type { Match, TicketGrant } from './types.ts';

/**
 * Presents the match at the resubmit cadence until every member has been answered with it
 * (then a crash can no longer split it), `stop` aborts, or the matchmaker refuses it for good
 * (expired, not ours): a matchmaker that restarted meanwhile rebuilds it. Failures that pass
 * (no answer, overload, keys not loaded yet) are retried with backoff capped at the interval,
 * as resubmissions are: a restarted matchmaker hears from holders early in its warm-up.
 */
export async function holdMatch(
  client: TicketboothClient,
  grant: TicketGrant,
  match: Match,
  stop: AbortSignal,
  backoff: BackoffPolicy,
  random: () => number,
): Promise<void> {
  let failures = 0;
  let waitMs = jitter(grant.resubmitAfterMs, random);
  for (;;) {
    if (!(await pause(waitMs, stop))) return;
    try {
      if ((await client.announceMatch(grant, match, stop)).delivered) return;
      failures = 0;
      waitMs = jitter(grant.resubmitAfterMs, random);
    } catch (error) {
      if (stop.aborted) return;
      if (!isRetryable(error) && !(error instanceof TicketboothError && WAIT_FOR_KEYS.has(error.code))) return;
      waitMs = backoffDelay(failures++, { ...backoff, capMs: Math.min(backoff.capMs, grant.resubmitAfterMs) }, random);
    }
  }
}

/** Waits `ms` without keeping a Node process alive for it; false when `stop` aborted first. */
export function pause(ms: number, stop: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (stop.aborted) return resolve(false);
    const done = (kept: boolean) => {
      clearTimeout(timer);
      stop.removeEventListener('abort', onAbort);
      resolve(kept);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    (timer as { unref?: () => void }).unref?.();
    stop.addEventListener('abort', onAbort, { once: true });
  });
}
