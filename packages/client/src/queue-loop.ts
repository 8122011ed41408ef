// queue(): resubmit at the matchmaker's pace until the search ends, refreshing the ticket
// before it expires and riding out restarts, with the push as an extra.
import { backoffDelay, jitter, sleep, type BackoffPolicy } from './backoff.ts';
import type { QueueOptions, TicketboothClient } from './client.ts';
import { TicketboothError } from './errors.ts';
import { newIdempotencyKey } from './idempotency-key.ts';
import type { Match, QueueAnswer, Session, TicketGrant, TicketRequest } from './types.ts';

/** 401 codes after which a fresh ticket, not the caller, fixes things. */
const REFRESHABLE = new Set(['expired', 'key-inactive', 'lifetime-exceeded']);
/** A matchmaker that has not fetched a new issuer key yet: wait, it refetches. */
export const WAIT_FOR_KEYS = new Set(['unknown-key']);

export interface QueueRun extends QueueOptions {
  readonly client: TicketboothClient;
  readonly session: Session;
  readonly request: TicketRequest;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  readonly now: () => number;
}

export async function runQueue(run: QueueRun): Promise<{ grant: TicketGrant; match: Match }> {
  const { client, session, request, signal, random, now } = run;
  const report = run.onStatus ?? (() => {});
  let failures = 0;
  const retryAfter = async (error: Error, capMs = run.backoff.capMs): Promise<void> => {
    const server = error instanceof TicketboothError ? (error.retryAfterMs ?? 0) : 0;
    const delayMs = Math.max(server, backoffDelay(failures, { ...run.backoff, capMs: Math.min(capMs, run.backoff.capMs) }, random));
    failures++;
    report({ status: 'retrying', attempt: failures, delayMs, error });
    await sleep(delayMs, signal);
  };

  // The first ticket: nothing to fall back on, so retry until the issuer answers.
  let grant: TicketGrant | undefined;
  let firstKey = newIdempotencyKey(now, random);
  while (grant === undefined) {
    try {
      grant = await client.requestTicket(session, request, { idempotencyKey: firstKey });
    } catch (error) {
      // Retries share one key (one ticket however often we ask) until the issuer says it is too old.
      const staleKey = error instanceof TicketboothError && error.code === 'invalid-idempotency-key';
      if (staleKey) firstKey = newIdempotencyKey(now, random);
      else if (!isRetryable(error)) throw error;
      await retryAfter(error as Error);
    }
  }
  failures = 0;
  let refreshAt = refreshTimeOf(grant, now());
  let nextRefreshTry = 0;
  const push = listenForPush(client, run.push ?? true);

  try {
    for (;;) {
      signal?.throwIfAborted();
      if (push.match) {
        report({ status: 'ready', match: push.match });
        return { grant, match: push.match };
      }
      if (now() >= refreshAt && now() >= nextRefreshTry) {
        report({ status: 'refreshing' });
        try {
          grant = await client.requestTicket(session, request, { previousTicket: grant.ticket });
          refreshAt = refreshTimeOf(grant, now());
        } catch (error) {
          // An issuer that is down must not stop a queued player: keep the ticket we have.
          if (!isRetryable(error)) throw error;
          nextRefreshTry = now() + backoffDelay(0, run.backoff, random);
        }
      }
      let answer: QueueAnswer;
      try {
        answer = await client.submit(grant, signal);
      } catch (error) {
        if (error instanceof TicketboothError && error.status === 401 && REFRESHABLE.has(error.code)) {
          nextRefreshTry = 0;
          refreshAt = 0;
          await retryAfter(error);
          continue;
        }
        if (!isRetryable(error) && !(error instanceof TicketboothError && WAIT_FOR_KEYS.has(error.code))) throw error;
        // A queued player resubmits at this cadence anyway, so retrying no slower adds no load,
        // and a restarted matchmaker gets its pool back within about one interval.
        await retryAfter(error as Error, grant.resubmitAfterMs);
        continue;
      }
      failures = 0;
      if (answer.status === 'ready') {
        report({ status: 'ready', match: answer.match });
        return { grant, match: answer.match };
      }
      if (answer.status === 'timed_out') {
        report({ status: 'timed_out', queuedForMs: answer.queuedForMs });
        throw new TicketboothError(200, 'timed_out', `no match within the longest wait of ${answer.pool.mode}/${answer.pool.region} (${answer.queuedForMs} ms)`);
      }
      report({ status: 'searching', queuedForMs: answer.queuedForMs, playersInPool: answer.playersInPool });
      push.listen(grant);
      await sleep(jitter(answer.resubmitAfterMs || grant.resubmitAfterMs, random), anySignal(signal, push.arrived));
    }
  } catch (error) {
    if (push.match && !signal?.aborted) {
      report({ status: 'ready', match: push.match });
      return { grant, match: push.match };
    }
    if (signal?.aborted) {
      // Best effort: free the slot now rather than waiting for the entry to go stale.
      await client.leave(grant).catch(() => {});
    }
    throw error;
  } finally {
    push.stop();
  }
}

/** One push stream at a time, restarted after each searching answer; `arrived` aborts the wait. */
function listenForPush(client: TicketboothClient, enabled: boolean) {
  const stop = new AbortController();
  const arrived = new AbortController();
  let listening = false;
  const state = {
    match: undefined as Match | undefined,
    arrived: arrived.signal,
    listen(grant: TicketGrant) {
      if (!enabled || listening || stop.signal.aborted) return;
      listening = true;
      void client.waitForMatch(grant, stop.signal).then((match) => {
        listening = false;
        if (match === undefined) return;
        state.match = match;
        arrived.abort();
      });
    },
    stop: () => stop.abort(),
  };
  return state;
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a === undefined ? b : AbortSignal.any([a, b]);
}

/**
 * When to ask for the next ticket: halfway through the life the ticket had when it arrived,
 * and at least two resubmit intervals (plus a second) before its end. Halfway keeps honest
 * clients far from `exp` (which the matchmaker applies exactly) even when this machine's
 * clock is off from the issuer's by up to half a lifetime.
 */
export function refreshTimeOf(grant: TicketGrant, receivedAt: number): number {
  const life = Date.parse(grant.expiresAt) - receivedAt;
  if (!Number.isFinite(life)) return receivedAt;
  return receivedAt + Math.max(0, Math.min(life / 2, life - 2 * grant.resubmitAfterMs - 1_000));
}

export function isRetryable(error: unknown): boolean {
  return error instanceof TicketboothError && error.isRetryable;
}
