// POST /v1/matches/current: a member presenting the match it holds, until every member has it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { Problem, bearerToken, limitBody, ticketProblem, validate } from '@ticketbooth/http';
import { TicketError } from '@ticketbooth/tickets';
import type { RouteContext } from './context.ts';
import { reannouncementSchema } from '../schemas.ts';
import { readyBody } from './queue.ts';

export function matchRoutes({ mm, refusals, metrics, now }: RouteContext): Hono<{ Bindings: Partial<HttpBindings> }> {
  const closed = metrics.connectionsClosed.labels({ reason: 'invalid_tickets' });
  /** The problem, ending its connection when the sender has used up its share of refusals. */
  const refused = (problem: Problem, close: boolean): Problem => {
    if (!close) return problem;
    closed.inc();
    return new Problem(problem.status, problem.code, problem.title, problem.detail, { ...problem.headers, connection: 'close' }, problem.extra);
  };
  return new Hono<{ Bindings: Partial<HttpBindings> }>().post('/v1/matches/current', limitBody(16_384), validate('json', reannouncementSchema), async (c) => {
    // The refusal budget of POST /v1/queue, held and closed the same way: forged tokens here
    // cost a signature check each too.
    const sender = c.env?.incoming?.socket;
    const address = sender?.remoteAddress ?? '';
    const waitMs = refusals.waitMs(address, now());
    if (waitMs > 0) {
      metrics.throttled.inc();
      const problem = new Problem(429, 'too-many-invalid-tickets', 'Too many invalid tickets', 'this address sent too many tokens that did not verify', {
        'retry-after': String(Math.ceil(waitMs / 1000)),
      });
      const close = refusals.countOnConnection(sender);
      if (refusals.holdMs > 0) await sleep(refusals.holdMs);
      throw refused(problem, close);
    }
    try {
      const { result, delivered } = mm.reannounce(bearerToken(c.req.header('authorization')), c.req.valid('json').match);
      return c.json({ ...readyBody(result), delivered });
    } catch (error) {
      if (!(error instanceof TicketError)) throw error;
      throw refused(ticketProblem(error), refusals.spend(address, sender, now()));
    }
  });
}
