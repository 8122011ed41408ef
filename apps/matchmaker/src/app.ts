// createApp(deps): the matchmaker's Hono app over its in-memory domain.
import { Hono } from 'hono';
import { answerWrongMethods, createErrorHandler, createLogger, notFound, requestIdOf, requestLogging, type FastLane, type Logger } from '@ticketbooth/http';
import { createMatchmaker, type Matchmaker, type MatchmakerDeps } from './matchmaker.ts';
import { createMetrics } from './metrics.ts';
import { DEFAULT_REFUSALS, RefusalBudget } from './refusal-budget.ts';
import type { RouteContext } from './routes/context.ts';
import { healthRoutes } from './routes/health.ts';
import { matchRoutes } from './routes/matches.ts';
import { poolRoutes } from './routes/pools.ts';
import { queueRoutes, submitAnswer } from './routes/queue.ts';

export interface AppDeps extends Omit<MatchmakerDeps, 'observer'> {
  /** JSON lines: requests (resubmissions only sampled) and unexpected errors. Default: errors only. */
  readonly logger?: Logger;
  /** True once the process is stopping: /readyz answers 503 to probes on connections still open while requests in flight finish. */
  readonly isDraining?: () => boolean;
  /** Also the process's own metrics (CPU, memory, event loop): off in tests. */
  readonly defaultMetrics?: boolean;
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * @example
 * const { app, matchmaker, lane } = createApp({ settings, ticketKeys, matchKeys, now: Date.now, newId: randomUUID });
 * await startServer({ fetch: app.fetch, port, lane });
 * setInterval(matchmaker.tick, settings.tickMs);
 */
export function createApp(deps: AppDeps): { app: Hono; matchmaker: Matchmaker; lane: FastLane } {
  const { settings } = deps;
  const metrics = createMetrics(settings.pools, { defaultMetrics: deps.defaultMetrics ?? false });
  const logger = deps.logger ?? createLogger('ticketbooth-matchmaker', { level: 'error' });
  const matchmaker = createMatchmaker({ ...deps, observer: metrics.observer, log: deps.log ?? ((message, fields) => logger.warn(fields, message)) });
  metrics.read(matchmaker.stats);
  const log = (error: unknown) => logger.error({ err: error }, 'unexpected error');
  const context: RouteContext = {
    mm: matchmaker,
    refusals: new RefusalBudget(settings.refusals ?? DEFAULT_REFUSALS),
    trustedProxyHops: settings.trustedProxyHops ?? 0,
    metrics,
    resubmitIntervalMs: settings.shared.resubmitIntervalMs,
    pools: settings.pools,
    now: deps.now,
    log,
  };
  const submit = submitAnswer(context);
  const app = new Hono()
    .use(
      '*',
      ...requestLogging(logger, {
        // Resubmissions and presentations come every few seconds from every player, probes and
        // scrapes from machines: counted, sampled.
        quiet: (method, path) => (method === 'POST' ? path === '/v1/queue' || path === '/v1/matches/current' : PROBES.has(path)),
        onAnswered: (method, route, status, seconds) => metrics.httpDuration.observe({ method, route, status: String(status) }, seconds),
      }),
    )
    .route('/', queueRoutes(context, submit))
    .route('/', matchRoutes(context))
    .route('/', poolRoutes(matchmaker, deps.matchKeys))
    .route('/', healthRoutes(matchmaker, metrics, deps.isDraining ?? (() => false)));
  // A known path asked with another method: 405 with Allow, not 404.
  answerWrongMethods(app);
  app.onError(createErrorHandler({ log: (error, c) => logger.error({ err: error, reqId: requestIdOf(c) }, 'unexpected error') }));
  app.notFound(notFound);
  // The same answers as the app's POST /v1/queue, for startServer's fast lane.
  const lane: FastLane = {
    route: 'POST /v1/queue',
    answer(authorization, socket, forwarded) {
      metrics.countLaneAnswer();
      return submit(authorization, socket, forwarded);
    },
    onHandOff: (reason) => metrics.laneHandOffs.inc({ reason }),
  };
  return { app, matchmaker, lane };
}
