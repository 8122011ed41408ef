// POST /v1/matches/current: a member presenting the match it holds, until every member has it.
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { Problem, bearerToken, limitBody, validate } from '@ticketbooth/http';
import { TicketError } from '@ticketbooth/tickets';
import type { RouteContext } from './context.ts';
import { reannouncementSchema } from '../schemas.ts';
import { readyBody } from './queue.ts';

export function matchRoutes({ mm, refusals, now }: RouteContext): Hono<{ Bindings: Partial<HttpBindings> }> {
  const routes = new Hono<{ Bindings: Partial<HttpBindings> }>().post('/v1/matches/current', limitBody(16_384), validate('json', reannouncementSchema), (c) => {
    // The refusal budget of POST /v1/queue: forged tokens here cost a signature check each too.
    const sender = c.env?.incoming?.socket;
    const address = sender?.remoteAddress ?? '';
    const waitMs = refusals.waitMs(address, now());
    if (waitMs > 0) {
      throw new Problem(429, 'too-many-invalid-tickets', 'Too many invalid tickets', 'this address sent too many tokens that did not verify', {
        'retry-after': String(Math.ceil(waitMs / 1000)),
      });
    }
    try {
      const { result, delivered } = mm.reannounce(bearerToken(c.req.header('authorization')), c.req.valid('json').match);
      return c.json({ ...readyBody(result), delivered });
    } catch (error) {
      if (error instanceof TicketError) refusals.spend(address, sender, now());
      throw error;
    }
  });
  return routes;
}
