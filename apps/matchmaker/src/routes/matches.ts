// POST /v1/matches/current: a member presenting the match it holds (with its acceptance and
// assignment) until every member has it settled; /accept and /decline answer a proposed match.
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { Problem, bearerToken, clientAddress, limitBody, ticketProblem, validate } from '@ticketbooth/http';
import { TicketError } from '@ticketbooth/tickets';
import type { RouteContext } from './context.ts';
import { matchAnswerSchema, reannouncementSchema } from '../schemas.ts';
import { viewBody } from './queue.ts';

type Env = { Bindings: Partial<HttpBindings> };

export function matchRoutes({ mm, refusals, metrics, now, trustedProxyHops }: RouteContext): Hono<Env> {
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

  return new Hono<Env>()
    .post('/v1/matches/current', limitBody(16_384), validate('json', reannouncementSchema), async (c) => {
      const { match, accepted, assignment } = c.req.valid('json');
      const { view, delivered } = await budgeted(c, () => mm.reannounce(bearerToken(c.req.header('authorization')), match, { accepted, assignment }));
      return c.json({ ...viewBody(view), delivered });
    })
    .post('/v1/matches/accept', limitBody(16_384), validate('json', matchAnswerSchema), async (c) => {
      const view = await budgeted(c, () => mm.respond(bearerToken(c.req.header('authorization')), c.req.valid('json').match, 'accept'));
      return c.json(viewBody(view));
    })
    .post('/v1/matches/decline', limitBody(16_384), validate('json', matchAnswerSchema), async (c) => {
      const view = await budgeted(c, () => mm.respond(bearerToken(c.req.header('authorization')), c.req.valid('json').match, 'decline'));
      return c.json(viewBody(view));
    });
}
