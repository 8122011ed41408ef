// POST/DELETE /v1/queue and the SSE stream: thin over the matchmaker's submit and leave.
import { Hono } from 'hono';
import { Problem, bearerToken } from '@ticketbooth/http';
import type { Pool } from '@ticketbooth/tickets';
import type { Matchmaker, Submission } from '../matchmaker.ts';
import type { QueueEntry } from '../pool.ts';
import type { MatchResult } from '../results.ts';
import { streamMatch } from '../sse.ts';

export function queueRoutes(mm: Matchmaker): Hono {
  const retryAfter = String(Math.max(1, Math.ceil(mm.settings.shared.resubmitIntervalMs / 1000)));
  const searchingJson = searchingBody(mm);

  function respond(submission: Submission): Response {
    switch (submission.status) {
      case 'searching':
        // A plain header object lets @hono/node-server write the response without building Headers.
        return new Response(searchingJson(submission.entry), { headers: { 'content-type': 'application/json' } });
      case 'matched':
        return new Response(JSON.stringify(matchedBody(submission.result)), { headers: { 'content-type': 'application/json' } });
      case 'revoked':
        throw new Problem(403, 'revoked', 'Ticket revoked', 'this player may not queue with this ticket');
      case 'pool_not_served':
        throw new Problem(422, 'pool-not-served', 'Pool not served here', `${submission.pool} is served by another matchmaker`);
      case 'at_capacity':
        throw new Problem(503, 'at-capacity', 'Matchmaker at capacity', 'try again later', { 'retry-after': retryAfter });
    }
  }

  return new Hono()
    // A queued ticket's resubmission usually never gets here: see fast-resubmit.ts.
    .post('/v1/queue', (c): Response | Promise<Response> => {
      const submission = mm.submit(bearerToken(c.req.header('authorization')));
      return submission instanceof Promise ? submission.then(respond) : respond(submission);
    })
    .delete('/v1/queue', async (c) => {
      await mm.leave(bearerToken(c.req.header('authorization')));
      return c.body(null, 204);
    })
    .get('/v1/queue/events', async (c) => {
      const token = bearerToken(c.req.header('authorization'));
      const found = await mm.findMatch(token);
      return streamMatch(c, mm, found, matchedBody);
    });
}

/**
 * The `searching` answer, written by hand as JSON.stringify would (pool names are slugs,
 * figures integers): it is the body of nearly every request this service answers.
 */
export function searchingBody(mm: Matchmaker): (entry: QueueEntry) => string {
  const resubmitAfterMs = mm.settings.shared.resubmitIntervalMs;
  const poolJson = new Map(mm.settings.pools.map((key) => [key, JSON.stringify(poolOf(key))]));
  return (entry) =>
    `{"status":"searching","pool":${poolJson.get(entry.pool) ?? JSON.stringify(poolOf(entry.pool))},"queuedForMs":${Math.max(0, Math.round(mm.now() - entry.queuedAt))},"playersInPool":${mm.queue.players(entry.pool)},"resubmitAfterMs":${resubmitAfterMs}}`;
}

export function matchedBody(result: MatchResult) {
  return { status: 'matched' as const, match: result.match };
}

function poolOf(key: string): Pool {
  const [mode, region] = key.split('/') as [string, string];
  return { mode, region };
}
