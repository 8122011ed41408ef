// POST/DELETE /v1/queue and the SSE stream: thin over the matchmaker's submit and leave.
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { Problem, bearerToken, clientAddress, errorAnswer, problemAnswer, type Answer } from '@ticketbooth/http';
import type { Submission } from '../matchmaker.ts';
import { LEFT } from '../leaving.ts';
import type { QueueEntry } from '../pool.ts';
import type { MatchView } from '../lifecycle.ts';
import { streamMatch } from '../sse.ts';
import type { RouteContext } from './context.ts';


/** Who sent a request: the connection (counted by identity) and its peer address. */
export interface Sender {
  readonly remoteAddress?: string | undefined;
}

/**
 * `POST /v1/queue` as a whole answer, so the Hono route and the server's fast lane (which
 * takes nearly all of these requests: see @ticketbooth/http's fast-lane.ts) send the same bytes.
 */
export function submitAnswer(
  context: RouteContext,
): (authorization: string | undefined, sender?: Sender, forwarded?: string) => Answer | Promise<Answer> {
  const { mm, refusals, metrics, now, log, trustedProxyHops } = context;
  // Behind a proxy the connection is the proxy's, shared by many clients: refusals count per
  // forwarded address, and a connection is neither held nor closed for one client's sake.
  const behindProxy = trustedProxyHops > 0;
  const holdMs = behindProxy ? 0 : refusals.holdMs;
  /** Read only off the hot path: a queued ticket's resubmission never needs it. */
  const addressOf = (sender: Sender | undefined, forwarded: string | undefined) => clientAddress(sender?.remoteAddress ?? '', forwarded, trustedProxyHops);
  const connectionOf = (sender: Sender | undefined) => (behindProxy ? undefined : sender);
  const retryAfter = String(Math.max(1, Math.ceil(context.resubmitIntervalMs / 1000)));
  const searchingJson = searchingBody(context);
  const json = { 'content-type': 'application/json' };
  const throttled = metrics.throttled;
  const closed = metrics.connectionsClosed.labels({ reason: 'invalid_tickets' });

  function answerOf(submission: Submission): Answer {
    switch (submission.status) {
      case 'searching':
        return { status: 200, headers: json, body: searchingJson(submission.entry) };
      case 'matched':
        return { status: 200, headers: json, body: JSON.stringify(viewBody(submission.view)) };
      case 'timed_out':
        return { status: 200, headers: json, body: JSON.stringify({ status: 'timed_out', pool: poolOf(submission.pool), queuedForMs: Math.round(submission.queuedForMs) }) };
      case 'left':
        return problemAnswer(LEFT);
      case 'party_changed':
        return problemAnswer(
          new Problem(409, 'party-changed', 'Party changed', 'a player of this ticket queued since in another group (a newer ticket of theirs); ask the issuer for a new ticket'),
        );
      case 'revoked':
        return problemAnswer(new Problem(403, 'revoked', 'Ticket revoked', 'this player may not queue with this ticket'));
      case 'pool_not_served':
        return problemAnswer(new Problem(422, 'pool-not-served', 'Pool not served here', `${submission.pool} is served by another matchmaker`));
      case 'at_capacity':
        return problemAnswer(new Problem(503, 'at-capacity', 'Matchmaker at capacity', 'try again later', { 'retry-after': retryAfter }));
    }
  }

  /** A refusal's answer; a refused ticket (401) spends the sender's budget and may end its connection. */
  function refusal(error: unknown, sender: Sender | undefined, forwarded: string | undefined): Answer {
    const answer = errorAnswer(error, log);
    return answer.status === 401 && refusals.spend(addressOf(sender, forwarded), connectionOf(sender), now()) ? closing(answer) : answer;
  }

  // A flooder gets this answer tens of thousands of times a second: built once per Retry-After.
  const throttledAnswers = new Map<number, Answer>();
  function tooManyInvalid(retryAfterS: number): Answer {
    let answer = throttledAnswers.get(retryAfterS);
    if (answer === undefined) {
      const problem = new Problem(429, 'too-many-invalid-tickets', 'Too many invalid tickets', 'this address sent too many tickets that did not verify', {
        'retry-after': String(retryAfterS),
      });
      throttledAnswers.set(retryAfterS, (answer = problemAnswer(problem)));
    }
    return answer;
  }

  /** The answer after `ms`: the connection gets nothing else meanwhile (answers go in request order). */
  function held(answer: Answer, ms: number): Answer | Promise<Answer> {
    return ms <= 0 ? answer : new Promise((resolve) => setTimeout(resolve, ms, answer));
  }

  function closing(answer: Answer): Answer {
    closed.inc();
    return { ...answer, headers: { ...answer.headers, connection: 'close' } };
  }

  return (authorization, sender, forwarded) => {
    let submission: Submission | Promise<Submission>;
    try {
      const token = bearerToken(authorization);
      // The resubmission of a queued ticket: nearly every request, so no Submission for it.
      const entry = mm.refreshQueued(token);
      if (entry !== undefined) return { status: 200, headers: json, body: searchingJson(entry) };
      // Before any signature work: an address that keeps sending bad tickets waits.
      const waitMs = refusals.waitMs(addressOf(sender, forwarded), now());
      if (waitMs > 0) {
        throttled.inc();
        const answer = tooManyInvalid(Math.ceil(waitMs / 1000));
        // A connection that keeps sending after being told to wait is ended like one that keeps sending bad tickets.
        return held(refusals.countOnConnection(connectionOf(sender)) ? closing(answer) : answer, holdMs);
      }
      submission = mm.submit(token);
    } catch (error) {
      return refusal(error, sender, forwarded);
    }
    return submission instanceof Promise ? submission.then(answerOf, (error: unknown) => refusal(error, sender, forwarded)) : answerOf(submission);
  };
}

export function queueRoutes(context: RouteContext, submit: ReturnType<typeof submitAnswer>): Hono<{ Bindings: Partial<HttpBindings> }> {
  const { mm } = context;
  return new Hono<{ Bindings: Partial<HttpBindings> }>()
    .post('/v1/queue', async (c) => {
      // The socket as the fast lane passes it, so both paths budget one connection alike.
      const { status, headers, body } = await submit(c.req.header('authorization'), c.env?.incoming?.socket, c.req.header('x-forwarded-for'));
      return new Response(body, { status, headers });
    })
    .delete('/v1/queue', async (c) => {
      await mm.leave(bearerToken(c.req.header('authorization')));
      return c.body(null, 204);
    })
    .get('/v1/queue/events', async (c) => {
      const token = bearerToken(c.req.header('authorization'));
      const found = await mm.find(token);
      return streamMatch(c, context, found);
    })
    .get('/v1/queue/explain', async (c) => {
      const { pool, ...explanation } = await mm.explain(bearerToken(c.req.header('authorization')));
      c.header('cache-control', 'no-store');
      return c.json({ pool: poolOf(pool), ...explanation });
    });
}

/**
 * The `searching` answer, written by hand as JSON.stringify would (pool names are slugs,
 * figures integers): it is the body of nearly every request this service answers.
 */
export function searchingBody({ mm, resubmitIntervalMs: resubmitAfterMs, pools, now }: RouteContext): (entry: QueueEntry) => string {
  const poolJson = new Map(pools.map((key) => [key, JSON.stringify(poolOf(key))]));
  return (entry) =>
    `{"status":"searching","pool":${poolJson.get(entry.pool) ?? JSON.stringify(poolOf(entry.pool))},"queuedForMs":${Math.max(0, Math.round(now() - entry.queuedAt))},"playersInPool":${mm.playersIn(entry.pool)},"estimatedWaitMs":${mm.estimatedWaitMs(entry.pool)},"resubmitAfterMs":${resubmitAfterMs}}`;
}

/** A member's match as answered: its phase and what goes with it (lifecycle.ts). */
export function viewBody(view: MatchView) {
  switch (view.status) {
    case 'proposed':
      return { status: view.status, match: view.match, acceptBy: new Date(view.acceptBy).toISOString(), accepted: view.accepted };
    case 'ready':
      return { status: view.status, match: view.match, allocating: view.allocating, ...(view.assignment === undefined ? {} : { assignment: view.assignment }) };
    case 'assigned':
      return { status: view.status, match: view.match, assignment: view.assignment };
    case 'cancelled':
      return { status: view.status, match: view.match, reason: view.reason, requeued: view.requeued };
  }
}

/** A served pool as answers show it: a latency mode's pool has no region (its matches each get one). */
function poolOf(key: string): { mode: string; region?: string } {
  const [mode, region] = key.split('/') as [string, string | undefined];
  return region === undefined ? { mode } : { mode, region };
}
