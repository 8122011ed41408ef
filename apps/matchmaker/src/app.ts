// createApp(deps): the matchmaker's Hono app over its in-memory domain.
import { Hono } from 'hono';
import { createErrorHandler, notFound } from '@ticketbooth/http';
import { createMatchmaker, type Matchmaker, type MatchmakerDeps } from './matchmaker.ts';
import { healthRoutes } from './routes/health.ts';
import { poolRoutes } from './routes/pools.ts';
import { queueRoutes } from './routes/queue.ts';

export interface AppDeps extends MatchmakerDeps {
  readonly log?: (error: unknown) => void;
}

/**
 * @example
 * const { app, matchmaker } = createApp({ settings, ticketKeys, matchKeys, now: Date.now, newId: randomUUID });
 * setInterval(matchmaker.tick, settings.tickMs);
 */
export function createApp(deps: AppDeps): { app: Hono; matchmaker: Matchmaker } {
  const matchmaker = createMatchmaker(deps);
  const log = deps.log;
  const app = new Hono()
    .route('/', queueRoutes(matchmaker))
    .route('/', poolRoutes(matchmaker, deps.matchKeys))
    .route('/', healthRoutes(matchmaker));
  app.onError(createErrorHandler(log ? { log } : {}));
  app.notFound(notFound);
  return { app, matchmaker };
}
