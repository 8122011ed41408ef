// createApp(deps): the matchmaker's Hono app over its in-memory domain.
import { Hono } from 'hono';
import { createErrorHandler, notFound, type FastLane } from '@ticketbooth/http';
import { createMatchmaker, type Matchmaker, type MatchmakerDeps } from './matchmaker.ts';
import { healthRoutes } from './routes/health.ts';
import { matchRoutes } from './routes/matches.ts';
import { poolRoutes } from './routes/pools.ts';
import { queueRoutes, submitAnswer } from './routes/queue.ts';

export interface AppDeps extends MatchmakerDeps {
  readonly log?: (error: unknown) => void;
}

/**
 * @example
 * const { app, matchmaker, lane } = createApp({ settings, ticketKeys, matchKeys, now: Date.now, newId: randomUUID });
 * await startServer({ fetch: app.fetch, port, lane });
 * setInterval(matchmaker.tick, settings.tickMs);
 */
export function createApp(deps: AppDeps): { app: Hono; matchmaker: Matchmaker; lane: FastLane } {
  const matchmaker = createMatchmaker(deps);
  const log = deps.log;
  const submit = submitAnswer(matchmaker, log);
  const app = new Hono()
    .route('/', queueRoutes(matchmaker, submit))
    .route('/', matchRoutes(matchmaker))
    .route('/', poolRoutes(matchmaker, deps.matchKeys))
    .route('/', healthRoutes(matchmaker));
  app.onError(createErrorHandler(log ? { log } : {}));
  app.notFound(notFound);
  // The same answers as the app's POST /v1/queue, for startServer's fast lane.
  const lane: FastLane = {
    route: 'POST /v1/queue',
    answer(authorization, socket) {
      matchmaker.countLaneAnswer();
      return submit(authorization, socket);
    },
    onHandOff: (reason) => matchmaker.metrics.laneHandOffs.inc({ reason }),
  };
  return { app, matchmaker, lane };
}
