// POST /v1/matches/current: a member presenting the match it holds (with its acceptance and
// assignment) until every member has it settled; /accept and /decline answer a proposed match.
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpBindings } from '@hono/node-server';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { BODY_REFUSALS, Problem, bearerToken, clientAddress, json, jsonBody, limitBody, openApiApp, problems, requireJson, ticketProblem } from '@ticketbooth/http';
import { TicketError } from '@ticketbooth/tickets';
import type { RouteContext } from './context.ts';
import { matchAnswerSchema, matchViewSchema, reannouncedSchema, reannouncementSchema } from '../schemas.ts';
import { viewBody } from './queue.ts';
import { presentedMatch } from './refusals.ts';

type Env = { Bindings: Partial<HttpBindings> };

const TICKET = [{ ticket: [] }];
/** The body is read through these: at most 16 KiB, labelled JSON. */
const bodyChecks = () => [limitBody(16_384), requireJson];

const currentRoute = createRoute({
  method: 'post',
  path: '/v1/matches/current',
  summary: 'Present the match this player holds',
  description:
    'At the resubmit cadence, with `accepted: true` once accepted and the `assignment` token once settled, until the answer says ' +
    '`delivered` (every member has heard it settled), the game has the player, or the match token expires. A matchmaker that does not ' +
    'know the match (it restarted) registers it from the token: its members leave the pools and their next POST /v1/queue answers this ' +
    'match. The ticket names the presenter; its signature must hold, its expiry does not matter here.',
  security: TICKET,
  middleware: bodyChecks(),
  request: { body: jsonBody(reannouncementSchema) },
  responses: {
    200: json(reannouncedSchema, 'The match, as POST /v1/queue answers it, and whether every member has been answered with it settled (then stop presenting it)'),
    ...problems(BODY_REFUSALS, presentedMatch('match or assignment token'), { 422: { 'assignment-mismatch': 'The assignment presented is for another match.' } }),
  },
});

/** POST /v1/matches/accept and /decline: a member's answer to a proposed match, with their own ticket. */
function answerRoute(verb: 'accept' | 'decline', summary: string, description: string, conflicts: Record<string, string>) {
  return createRoute({
    method: 'post',
    path: `/v1/matches/${verb}`,
    summary,
    description,
    security: TICKET,
    middleware: bodyChecks(),
    request: { body: jsonBody(matchAnswerSchema) },
    responses: {
      200: json(matchViewSchema, "The match's phase for this player afterwards"),
      ...problems(BODY_REFUSALS, presentedMatch('match token'), { 409: conflicts }),
    },
  });
}

const NOT_ANSWERABLE = {
  'match-cancelled': 'The match was cancelled (declined by another member, or past acceptBy): `reason` says which.',
  'match-settled': 'Every member accepted already: the match is ready or assigned (`phase`).',
  'no-accept-step': 'The match has no accept step: it was ready when it formed.',
};

const acceptRoute = answerRoute(
  'accept',
  'Accept a proposed match',
  'Once every member has, it is ready (and a game server is allocated, if the matchmaker has an allocator).',
  { 'already-accepted': 'This player has accepted this match already.', ...NOT_ANSWERABLE },
);

const declineRoute = answerRoute(
  'decline',
  'Decline a proposed match',
  'The match is cancelled; members who accepted go back to their pool with their wait kept, and this search is over.',
  { 'already-accepted': 'A member who accepted cannot decline.', ...NOT_ANSWERABLE },
);

export function matchRoutes({ mm, refusals, metrics, now, trustedProxyHops }: RouteContext): OpenAPIHono<Env> {
  const closed = metrics.connectionsClosed.labels({ reason: 'invalid_tickets' });
  /** The problem, ending its connection when the sender has used up its share of refusals. */
  const refused = (problem: Problem, close: boolean): Problem => {
    if (!close) return problem;
    closed.inc();
    return new Problem(problem.status, problem.code, problem.title, problem.detail, { ...problem.headers, connection: 'close' }, problem.extra);
  };

  /**
   * The refusal budget of POST /v1/queue, held and closed the same way: forged tokens here cost
   * a signature check each too. Runs `work`, spending the budget when a token does not verify.
   */
  async function budgeted<T>(c: Context<Env>, work: () => T): Promise<T> {
    const socket = c.env?.incoming?.socket;
    const address = clientAddress(socket?.remoteAddress ?? '', c.req.header('x-forwarded-for'), trustedProxyHops);
    // Behind a proxy the connection is shared by many clients: never held or closed for one.
    const sender = trustedProxyHops > 0 ? undefined : socket;
    const waitMs = refusals.waitMs(address, now());
    if (waitMs > 0) {
      metrics.throttled.inc();
      const problem = new Problem(429, 'too-many-invalid-tickets', 'Too many invalid tickets', 'this address sent too many tokens that did not verify', {
        'retry-after': String(Math.ceil(waitMs / 1000)),
      });
      const close = refusals.countOnConnection(sender);
      if (sender !== undefined && refusals.holdMs > 0) await sleep(refusals.holdMs);
      throw refused(problem, close);
    }
    try {
      return work();
    } catch (error) {
      if (!(error instanceof TicketError)) throw error;
      throw refused(ticketProblem(error), refusals.spend(address, sender, now()));
    }
  }

  return openApiApp<Env>()
    .openapi(currentRoute, async (c) => {
      const { match, accepted, assignment } = c.req.valid('json');
      const { view, delivered } = await budgeted(c, () => mm.reannounce(bearerToken(c.req.header('authorization')), match, { accepted, assignment }));
      return c.json({ ...viewBody(view), delivered }, 200);
    })
    .openapi(acceptRoute, async (c) => {
      const view = await budgeted(c, () => mm.respond(bearerToken(c.req.header('authorization')), c.req.valid('json').match, 'accept'));
      return c.json(viewBody(view), 200);
    })
    .openapi(declineRoute, async (c) => {
      const view = await budgeted(c, () => mm.respond(bearerToken(c.req.header('authorization')), c.req.valid('json').match, 'decline'));
      return c.json(viewBody(view), 200);
    });
}
