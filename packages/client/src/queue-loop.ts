// queue(): resubmit at the matchmaker's pace until a match settles, refreshing the ticket before
// it expires and riding out restarts; a formed match is followed through its phases (follow.ts),
// presented at the same pace, with the push as an extra.
import { backoffDelay, jitter, sleep, type BackoffPolicy } from './backoff.ts';
import type { QueueOptions, TicketboothClient } from './client.ts';
import { MatchFollower, declinedError, type Step } from './follow.ts';
import { TicketboothError } from './errors.ts';
import { matchFormedAt } from './formed-at.ts';
import { Inbox } from './inbox.ts';
import { newIdempotencyKey } from './idempotency-key.ts';
import { askPlayer, autoAccept, sendAnswer } from './proposal.ts';
import { isPassing, isRefusedForGood, isRetryable, needsFreshTicket } from './retryable.ts';
import type { Holding, Match, MatchView, PresentedMatch, Session, TicketGrant, TicketRequest } from './types.ts';

export { isRetryable } from './retryable.ts';

export interface QueueRun extends QueueOptions {
  readonly client: TicketboothClient;
  readonly session: Session;
  readonly request: TicketRequest;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  readonly now: () => number;
}

/** A settled search: the match (with its assignment, if any), and what holding it presents. */
export interface QueueOutcome {
  readonly grant: TicketGrant;
  readonly match: Match;
  readonly holding: Holding;
  /** Every member has heard the match settled already: nothing left to present. */
  readonly delivered: boolean;
}

/** What arrives between requests: a view (pushed, or answering the player's choice), or a decline sent. */
type Mail = { readonly view: MatchView } | { readonly declined: string };

const FOLLOWING: Step = { kind: 'following' };

export async function runQueue(run: QueueRun): Promise<QueueOutcome> {
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

  let grant = await firstTicket(run, retryAfter);
  failures = 0;
  let refreshAt = refreshTimeOf(grant, now());
  let nextRefreshTry = 0;
  const inbox = new Inbox<Mail>();
  // Ends the push and any answer still retried once the search is over.
  const over = new AbortController();
  // Matches over for this search (cancelled and requeued, or replaced by a newer one): a late view of one changes nothing.
  const ended = new Set<string>();
  // A pushed view of an ended match does not wake the loop: a stream that keeps telling one would spin it.
  const push = pushListener(
    client,
    run.push ?? true,
    (view) => {
      if (!ended.has(view.match.id)) inbox.post({ view });
    },
    over.signal,
  );
  // Matches the matchmaker would not take back when presented: their phase is asked by resubmitting.
  const unpresentable = new Set<string>();
  let follower: MatchFollower | undefined;
  let resubmitMs = grant.resubmitAfterMs;

  /** The player's answer to a proposed match, sent once `confirm` gives it. */
  async function respond(proposed: MatchFollower): Promise<void> {
    const yes = await askPlayer(run.confirm ?? autoAccept, proposed.match, proposed.acceptBy!, now);
    if (yes === undefined || over.signal.aborted || follower !== proposed) return;
    if (yes) proposed.accept();
    else proposed.declined = true;
    const answerRun = { client, grant: () => grant, follower: proposed, backoff: run.backoff, random, now, stop: over.signal };
    const view = await sendAnswer(answerRun, yes ? 'accept' : 'decline');
    if (view !== undefined) inbox.post({ view });
    if (!yes) inbox.post({ declined: proposed.match.id });
  }

  /**
   * A view of the player's match, from any source: followed, and answered once proposed.
   * `late`: it arrived between requests (a push, an answer to accept or decline), so it may
   * have been in flight since before what the last request answered.
   */
  function take(view: MatchView, late = false): Step {
    if (ended.has(view.match.id)) return FOLLOWING;
    if (follower?.match.id !== view.match.id) {
      // A late view of a match formed before the one followed must not replace it: the player
      // would stop answering the match that counts. The matchmaker's answer to a request is its
      // newest word, and a followed match it refused to take back says nothing: those replace.
      const older = late && follower !== undefined && !unpresentable.has(follower.match.id) && matchFormedAt(view.match.token) < matchFormedAt(follower.match.token);
      if (older) return FOLLOWING;
      if (follower !== undefined) ended.add(follower.match.id);
      follower = new MatchFollower(view.match, report);
    }
    const current = follower;
    const wasProposed = current.acceptBy !== undefined;
    const step = current.apply(view);
    if (!wasProposed && current.acceptBy !== undefined) void respond(current);
    if (step.kind === 'requeued') {
      ended.add(current.match.id);
      follower = undefined;
    }
    return step;
  }

  /** One request: the match presented while one is followed, else the ticket resubmitted. */
  async function ask(): Promise<{ step: Step; delivered: boolean }> {
    if (follower !== undefined && !unpresentable.has(follower.match.id)) {
      const held = follower;
      let presented: PresentedMatch | undefined;
      try {
        presented = await client.announceMatch(grant, held.match, held.holding, signal);
      } catch (error) {
        if (!isRefusedForGood(error)) throw error;
        // Refused for good (expired, not ours): the resubmitted ticket tells where the search is.
        unpresentable.add(held.match.id);
      }
      if (presented !== undefined) return { step: take(presented), delivered: presented.delivered };
    }
    const answer = await client.submit(grant, signal);
    if (answer.status === 'timed_out') {
      report({ status: 'timed_out', queuedForMs: answer.queuedForMs });
      throw new TicketboothError(200, 'timed_out', `no match within the longest wait of ${answer.pool.mode}${answer.pool.region === undefined ? '' : `/${answer.pool.region}`} (${answer.queuedForMs} ms)`);
    }
    if (answer.status !== 'searching') return { step: take(answer), delivered: false };
    report({ status: 'searching', queuedForMs: answer.queuedForMs, playersInPool: answer.playersInPool, estimatedWaitMs: answer.estimatedWaitMs ?? null });
    resubmitMs = answer.resubmitAfterMs || grant.resubmitAfterMs;
    return { step: FOLLOWING, delivered: false };
  }

  const settled = (match: Match, delivered: boolean): QueueOutcome => ({ grant, match, holding: follower?.holding ?? {}, delivered });

  try {
    for (;;) {
      signal?.throwIfAborted();
      for (const mail of inbox.take()) {
        if ('declined' in mail) {
          if (follower?.match.id === mail.declined) throw declinedError(follower.match);
          continue;
        }
        const step = take(mail.view, true);
        if (step.kind === 'settled') return settled(step.match, false);
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
      let answer: { step: Step; delivered: boolean };
      try {
        answer = await ask();
      } catch (error) {
        if (needsFreshTicket(error)) {
          nextRefreshTry = 0;
          refreshAt = 0;
          await retryAfter(error as Error);
          continue;
        }
        if (!isPassing(error)) throw error;
        // A queued player resubmits at this cadence anyway, so retrying no slower adds no load,
        // and a restarted matchmaker gets its pool back within about one interval.
        await retryAfter(error as Error, grant.resubmitAfterMs);
        continue;
      }
      failures = 0;
      if (answer.step.kind === 'settled') return settled(answer.step.match, answer.delivered);
      // Back in the pool with the wait kept: resubmit at once, the search goes on.
      if (answer.step.kind === 'requeued') continue;
      push.listen(grant);
      await inbox.wait(jitter(follower === undefined ? resubmitMs : grant.resubmitAfterMs, random), signal);
    }
  } catch (error) {
    if (signal?.aborted) {
      // Best effort: free the slot now rather than waiting for the entry to go stale.
      await client.leave(grant).catch(() => {});
    }
    throw error;
  } finally {
    over.abort();
  }
}

/** The first ticket: nothing to fall back on, so retry until the issuer answers. */
async function firstTicket(run: QueueRun, retryAfter: (error: Error) => Promise<void>): Promise<TicketGrant> {
  let key = newIdempotencyKey(run.now, run.random);
  for (;;) {
    try {
      return await run.client.requestTicket(run.session, run.request, { idempotencyKey: key });
    } catch (error) {
      // Retries share one key (one ticket however often we ask) until the issuer says it is too old.
      const staleKey = error instanceof TicketboothError && error.code === 'invalid-idempotency-key';
      if (staleKey) key = newIdempotencyKey(run.now, run.random);
      else if (!isRetryable(error)) throw error;
      await retryAfter(error as Error);
    }
  }
}

/** One push stream at a time, (re)opened whenever the loop waits; each view it brings goes to `onView`. */
function pushListener(client: TicketboothClient, enabled: boolean, onView: (view: MatchView) => void, stop: AbortSignal) {
  let listening = false;
  return {
    listen(grant: TicketGrant) {
      if (!enabled || listening || stop.aborted) return;
      listening = true;
      void client.watchMatch(grant, stop, onView).finally(() => {
        listening = false;
      });
    },
  };
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
