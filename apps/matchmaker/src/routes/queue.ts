// POST/DELETE /v1/queue, the SSE stream and the explanation: declared with createRoute (the
// document lists every answer), thin over the matchmaker's submit, leave, find and explain.
import type { HttpBindings } from '@hono/node-server';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { Problem, bearerToken, clientAddress, errorAnswer, json, openApiApp, problemAnswer, problems, type Answer, mergeRefusals } from '@ticketbooth/http';
import type { z } from 'zod';
import type { Submission } from '../matchmaker.ts';
import { LEFT } from '../leaving.ts';
import type { QueueEntry } from '../pool.ts';
import type { MatchView } from '../lifecycle.ts';
import { streamMatch } from '../sse.ts';
import { explanationSchema, matchViewSchema, submissionSchema } from '../schemas.ts';
import type { RouteContext } from './context.ts';
import { CHECKED_TICKET, THROTTLED } from './refusals.ts';

type QueueEnv = { Bindings: Partial<HttpBindings> };

const TICKET = [{ ticket: [] }];

const submitRoute = createRoute({
  method: 'post',
  path: '/v1/queue',
  summary: 'Queue or resubmit a ticket; answers searching or the match',
  description:
    'Resubmit the ticket every `resubmitAfterMs` until the answer is a match. Nearly every one of these requests is answered by the ' +
    "server's fast lane, outside the router, with the same bytes as this route.",
  security: TICKET,
  responses: {
    200: json(
      submissionSchema,
      "searching; the match's phase once formed (proposed: accept or decline it; ready; assigned: connect to the game server; cancelled: requeued or over), with a signed match token; " +
        "or timed_out: the search reached its mode's maxWaitMs (from the signed queuedAt) and is over",
    ),
    ...problems(
      mergeRefusals(CHECKED_TICKET, THROTTLED, {
        403: { revoked: 'The player (or a member of the party) is banned.' },
        409: {
          left: 'This search left the queue (DELETE /v1/queue); a new search needs a new ticket.',
          'party-changed':
            "A player of this ticket queued since in another group (a newer ticket of theirs won: a member's solo ticket after a party ticket, or the reverse).",
        },
        422: { 'pool-not-served': "The ticket's pool is served by another matchmaker." },
        503: { 'at-capacity': 'The matchmaker holds as many players as it may (Retry-After); queued players are always served.' },
      }),
    ),
  },
});

const leaveRoute = createRoute({
  method: 'delete',
  path: '/v1/queue',
  summary: 'Leave the queue, for good',
  description:
    'Every ticket of this search (same signed queuedAt, or older) is refused with 409 left from now on; a new search needs a new ticket. ' +
    'An expired ticket may leave too (its signature must hold).',
  security: TICKET,
  responses: {
    204: { description: 'Not queued any more' },
    ...problems(CHECKED_TICKET, { 409: { left: 'This search already left.' } }),
  },
});

const eventsRoute = createRoute({
  method: 'get',
  path: '/v1/queue/events',
  summary: "Server-Sent Events: the search's match, phase by phase",
  description:
    'An event per phase of the match (`proposed`, `ready`, `assigned`, `cancelled`; data as in POST /v1/queue) until it is settled, ' +
    '`ping` meanwhile (data `{"estimatedWaitMs": ...}`). Ends at the latest when the ticket expires. Resubmitting works without it.',
  security: TICKET,
  responses: {
    200: { description: 'text/event-stream: each event named by its status, its data the match as POST /v1/queue answers it', content: { 'text/event-stream': { schema: matchViewSchema } } },
    ...problems(
      mergeRefusals(CHECKED_TICKET, {
        404: { 'not-queued': 'This ticket is neither searching nor matched here: queue it first (POST /v1/queue).' },
        503: { 'too-many-streams': 'Too many event streams open here (Retry-After): poll by resubmitting instead.' },
      }),
    ),
  },
});

const explainRoute = createRoute({
  method: 'get',
  path: '/v1/queue/explain',
  summary: 'Why am I not matched',
  description:
    "This search's rating window now, the latency bound and when each region opens, the match size and when smaller teams are allowed, " +
    'how many queued here are compatible now and how many differ in attributes for good, the nearest one who is not compatible yet and ' +
    "when widening reaches it, and the pool's recent time-to-match. At most once per player per second.",
  security: TICKET,
  responses: {
    200: json(explanationSchema, 'The explanation'),
    ...problems(
      mergeRefusals(CHECKED_TICKET, {
        404: { 'not-queued': 'This ticket is not searching here: queue it first (a matched search is answered by POST /v1/queue).' },
        429: { 'explain-too-often': 'One explanation per player per second (Retry-After).' },
      }),
    ),
  },
});

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

export function queueRoutes(context: RouteContext, submit: ReturnType<typeof submitAnswer>): OpenAPIHono<QueueEnv> {
  const { mm } = context;
  return openApiApp<QueueEnv>()
    .openapi(submitRoute, async (c) => {
      // The socket as the fast lane passes it, so both paths budget one connection alike.
      const { status, headers, body } = await submit(c.req.header('authorization'), c.env?.incoming?.socket, c.req.header('x-forwarded-for'));
      // submitAnswer's bytes, the fast lane's too: a plain Response, which the typed responses do not admit.
      return new Response(body, { status, headers }) as never;
    })
    .openapi(leaveRoute, async (c) => {
      await mm.leave(bearerToken(c.req.header('authorization')));
      return c.body(null, 204);
    })
    .openapi(eventsRoute, async (c) => {
      const token = bearerToken(c.req.header('authorization'));
      const found = await mm.find(token);
      return streamMatch(c, context, found);
    })
    .openapi(explainRoute, async (c) => {
      const { pool, ...explanation } = await mm.explain(bearerToken(c.req.header('authorization')));
      c.header('cache-control', 'no-store');
      // explain.ts hands out read-only arrays; the JSON is the same.
      return c.json({ pool: poolOf(pool), ...explanation } as z.output<typeof explanationSchema>, 200);
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
export function viewBody(view: MatchView): z.output<typeof matchViewSchema> {
  // The match's arrays are read-only here and mutable in the schema's type: the JSON is the same.
  return phaseBody(view) as z.output<typeof matchViewSchema>;
}

function phaseBody(view: MatchView) {
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
