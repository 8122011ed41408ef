// POST/DELETE /v1/queue and the SSE stream: thin over the matchmaker's submit and leave.
import { Hono } from 'hono';
import { Problem, bearerToken } from '@ticketbooth/http';
import type { Pool } from '@ticketbooth/tickets';
import type { Matchmaker, Submission } from '../matchmaker.ts';
import type { MatchResult } from '../results.ts';
import { streamMatch } from '../sse.ts';

export function queueRoutes(mm: Matchmaker): Hono {
  const resubmitAfterMs = mm.settings.shared.resubmitIntervalMs;
  const retryAfter = String(Math.max(1, Math.ceil(resubmitAfterMs / 1000)));
  const pools = new Map<string, Pool>(mm.settings.pools.map((key) => [key, poolOf(key)]));
  const poolJson = new Map([...pools].map(([key, pool]) => [key, JSON.stringify(pool)]));

  function answer(submission: Submission, at: number) {
    switch (submission.status) {
      case 'searching': {
        const { entry } = submission;
        return {
          status: 'searching' as const,
          pool: pools.get(entry.pool) ?? poolOf(entry.pool),
          queuedForMs: Math.max(0, at - entry.queuedAt),
          playersInPool: mm.queue.players(entry.pool),
          resubmitAfterMs,
        };
      }
      case 'matched':
        return matchedBody(submission.result);
      case 'revoked':
        throw new Problem(403, 'revoked', 'Ticket revoked', 'this player may not queue with this ticket');
      case 'pool_not_served':
        throw new Problem(422, 'pool-not-served', 'Pool not served here', `${submission.pool} is served by another matchmaker`);
      case 'at_capacity':
        throw new Problem(503, 'at-capacity', 'Matchmaker at capacity', 'try again later', { 'retry-after': retryAfter });
    }
  }

  return new Hono()
    .post('/v1/queue', (c): Response | Promise<Response> => {
      const submission = mm.submit(bearerToken(c.req.header('authorization')));
      if (submission instanceof Promise) return submission.then((s) => c.json(answer(s, mm.now())));
      if (submission.status !== 'searching') return c.json(answer(submission, mm.now()));
      // The hot path: written by hand, as JSON.stringify would (names are slugs, figures integers).
      const { entry } = submission;
      // A plain header object lets @hono/node-server write the response without building Headers.
      return new Response(
        `{"status":"searching","pool":${poolJson.get(entry.pool)},"queuedForMs":${Math.max(0, Math.round(mm.now() - entry.queuedAt))},"playersInPool":${mm.queue.players(entry.pool)},"resubmitAfterMs":${resubmitAfterMs}}`,
        { headers: { 'content-type': 'application/json' } },
      );
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

export function matchedBody(result: MatchResult) {
  return { status: 'matched' as const, match: result.match };
}

function poolOf(key: string): Pool {
  const [mode, region] = key.split('/') as [string, string];
  return { mode, region };
}
