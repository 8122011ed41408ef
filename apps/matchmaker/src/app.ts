// createApp(deps): the matchmaker's Hono app over its in-memory domain.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { BlankEnv } from 'hono/types';
import type { MiddlewareHandler } from 'hono';
import {
  answerWrongMethods,
  auditResponses,
  corsFor,
  dashboardRoutes,
  createErrorHandler,
  createLogger,
  notFound,
  openApiApp,
  packageVersion,
  requestIdOf,
  requestLogging,
  serveDocs,
  type DocsOptions,
  type FastLane,
  type Logger,
  type Undocumented,
} from '@ticketbooth/http';
import { matchmakerView } from './dashboard.ts';
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
  /**
   * Told of every response a route gives that GET /openapi.json does not list (its status, or its
   * problem code): tests throw, so each route test checks the document too. Off by default.
   */
  readonly onUndocumented?: (finding: Undocumented) => void;
  /** ADMIN_TOKEN: when set, the dashboard's figures need it. */
  readonly adminToken?: string;
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

const DOCS: DocsOptions = {
  title: 'Ticketbooth matchmaker',
  version: packageVersion(new URL('../package.json', import.meta.url)),
  description: 'Memory-only pools of players queued with signed tickets. Resubmit the ticket every `resubmitAfterMs` until matched.',
  securitySchemes: { ticket: { type: 'http', scheme: 'bearer', bearerFormat: 'PASETO v4.public', description: 'A `ticket` token from the issuer.' } },
};

/**
 * @example
 * const { app, matchmaker, lane } = createApp({ settings, ticketKeys, matchKeys, now: Date.now, newId: randomUUID });
 * await startServer({ fetch: app.fetch, port, lane });
 * setInterval(matchmaker.tick, settings.tickMs);
 */
export function createApp(deps: AppDeps): { app: OpenAPIHono<BlankEnv>; matchmaker: Matchmaker; lane: FastLane } {
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
  const app = openApiApp<BlankEnv>();
  // Thrown by onUndocumented: they fail the request itself, where a 500 would hide them.
  const findings = new WeakSet<object>();
  if (deps.onUndocumented !== undefined) app.use('*', audit(app, deps.onUndocumented, findings));
  app.use(
    '*',
    ...requestLogging(logger, {
      // Resubmissions and presentations come every few seconds from every player, probes and
      // scrapes from machines: counted, sampled.
      quiet: (method, path) => (method === 'POST' ? path === '/v1/queue' || path === '/v1/matches/current' : PROBES.has(path)),
      onAnswered: (method, route, status, seconds) => metrics.httpDuration.observe({ method, route, status: String(status) }, seconds),
    }),
  );
  // Before the routes: a browser's preflight is answered here, and every answer carries the
  // headers. The API only: metrics, probes and the dashboard stay unreadable to other sites' pages.
  const cors = corsFor(settings.shared.corsOrigins);
  if (cors !== undefined) app.use('/v1/*', cors);
  app
    .route('/', queueRoutes(context, submit))
    .route('/', matchRoutes(context))
    .route('/', poolRoutes(matchmaker, deps.matchKeys))
    .route('/', healthRoutes(matchmaker, metrics, deps.isDraining ?? (() => false)));
  // After every route: the document is built from those registered so far.
  serveDocs(app, DOCS);
  // A page for people, like /docs: not in the API document.
  const view = matchmakerView(matchmaker, deps.now, deps.now(), settings.shared.revocationPollMs);
  app.route('/', dashboardRoutes({ title: 'Ticketbooth matchmaker', view, adminToken: deps.adminToken, draining: deps.isDraining }));
  // A known path asked with another method: 405 with Allow, not 404.
  answerWrongMethods(app);
  const handleError = createErrorHandler({ log: (error, c) => logger.error({ err: error, reqId: requestIdOf(c) }, 'unexpected error') });
  app.onError((error, c) => {
    if (findings.has(error)) throw error;
    return handleError(error, c);
  });
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

/** auditResponses over the app's own document, built on first use (once every route is added). */
function audit(app: OpenAPIHono<BlankEnv>, onUndocumented: (finding: Undocumented) => void, findings: WeakSet<object>): MiddlewareHandler {
  let document: Record<string, unknown> | undefined;
  const documented = () => (document ??= { ...app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: DOCS.title, version: DOCS.version } }) });
  return auditResponses(documented, (finding) => {
    try {
      onUndocumented(finding);
    } catch (error) {
      if (typeof error === 'object' && error !== null) findings.add(error);
      throw error;
    }
  });
}
