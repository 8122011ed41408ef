// createApp(deps): the matchmaker's Hono app over its in-memory domain.
import { Hono } from 'hono';
import { createErrorHandler, notFound, type FastLane } from '@ticketbooth/http';
import { createMatchmaker, type Matchmaker, type MatchmakerDeps } from './matchmaker.ts';
import { createMetrics } from './metrics.ts';
import { DEFAULT_REFUSALS, RefusalBudget } from './refusal-budget.ts';
import type { RouteContext } from './routes/context.ts';
import { healthRoutes } from './routes/health.ts';
import { matchRoutes } from './routes/matches.ts';
import { poolRoutes } from './routes/pools.ts';
import { queueRoutes, submitAnswer } from './routes/queue.ts';

export interface AppDeps extends Omit<MatchmakerDeps, 'observer'> {
  readonly log?: (error: unknown) => void;
  /** Also the process's own metrics (CPU, memory, event loop): off in tests. */
  readonly defaultMetrics?: boolean;
}

/**
 * @example
 * const { app, matchmaker, lane } = createApp({ settings, ticketKeys, matchKeys, now: Date.now, newId: randomUUID });
 * await startServer({ fetch: app.fetch, port, lane });
 * setInterval(matchmaker.tick, settings.tickMs);
 */
export function createApp(deps: AppDeps): { app: Hono; matchmaker: Matchmaker; lane: FastLane } {
  const { settings } = deps;
  const metrics = createMetrics(settings.pools, { defaultMetrics: deps.defaultMetrics ?? false });
  const matchmaker = createMatchmaker({ ...deps, observer: metrics.observer });
  metrics.read(matchmaker.stats);
  const context: RouteContext = {
    mm: matchmaker,
    refusals: new RefusalBudget(settings.refusals ?? DEFAULT_REFUSALS),
    metrics,
    resubmitIntervalMs: settings.shared.resubmitIntervalMs,
    pools: settings.pools,
    now: deps.now,
    log: deps.log,
  };
  const submit = submitAnswer(context);
  const app = new Hono()
    .route('/', queueRoutes(context, submit))
    .route('/', matchRoutes(context))
    .route('/', poolRoutes(matchmaker, deps.matchKeys))
    .route('/', healthRoutes(matchmaker, metrics));
  app.onError(createErrorHandler(deps.log ? { log: deps.log } : {}));
  app.notFound(notFound);
  // The same answers as the app's POST /v1/queue, for startServer's fast lane.
  const lane: FastLane = {
    route: 'POST /v1/queue',
    answer(authorization, socket) {
      metrics.countLaneAnswer();
      return submit(authorization, socket);
    },
    onHandOff: (reason) => metrics.laneHandOffs.inc({ reason }),
  };
  return { app, matchmaker, lane };
}
