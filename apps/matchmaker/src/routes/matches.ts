// POST /v1/matches/current: a member presenting the match it holds, until the match is settled.
import { Hono } from 'hono';
import { bearerToken, limitBody, validate } from '@ticketbooth/http';
import type { Matchmaker } from '../matchmaker.ts';
import { reannouncementSchema } from '../schemas.ts';
import { matchedBody } from './queue.ts';

export function matchRoutes(mm: Matchmaker): Hono {
  return new Hono().post('/v1/matches/current', limitBody(16_384), validate('json', reannouncementSchema), (c) => {
    const { result, delivered } = mm.reannounce(bearerToken(c.req.header('authorization')), c.req.valid('json').match);
    return c.json({ ...matchedBody(result), delivered });
  });
}
