// createApp(deps): the issuer's HTTP surface, one error handler, no I/O of its own.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import {
  answerWrongMethods,
  auditResponses,
  corsFor,
  createErrorHandler,
  dashboardRoutes,
  createLogger,
  limitBody,
  notFound,
  openApiApp,
  requestIdOf,
  requestLogging,
  serveDocs,
} from '@ticketbooth/http';
import { createVerifier, type KeyRing } from '@ticketbooth/tickets';
import { memoryLoginLimits } from './attempt-limits.ts';
import { clientAddressResolver } from './client-address.ts';
import type { AppDeps, IssuerContext, IssuerEnv } from './context.ts';
import { issuerView } from './dashboard.ts';
import { INVITE_TTL_MS } from './invites.ts';
import { createMetrics } from './metrics.ts';
import { ISSUER_DOCS } from './openapi.ts';
import { accountRoutes } from './routes/accounts.ts';
import { adminRoutes } from './routes/admin.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { operationRoutes } from './routes/operations.ts';
import { partyRoutes } from './routes/parties.ts';
import { resultRoutes } from './routes/results.ts';
import { revocationRoutes } from './routes/revocations.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { ticketRoutes } from './routes/tickets.ts';

function buildContext(deps: AppDeps): IssuerContext {
  const { shared, keys, now } = deps;
  return {
    ...deps,
    sessions: createVerifier({
      keys,
      purpose: 'session',
      issuer: shared.issuer,
      audience: shared.audiences.session,
      maxLifetimeMs: shared.sessionTtlMs,
      now,
    }),
    invites: createVerifier({
      keys,
      purpose: 'invite',
      issuer: shared.issuer,
      audience: shared.audiences.session,
      maxLifetimeMs: INVITE_TTL_MS,
      cacheSize: 10_000,
      now,
    }),
    previousTickets: createVerifier({
      keys,
      purpose: 'ticket',
      issuer: shared.issuer,
      audience: shared.audiences.ticket,
      maxLifetimeMs: shared.ticketTtlMs,
      // A client refreshing late keeps its place: a ticket expired less than one lifetime ago still counts.
      acceptExpiredForMs: shared.ticketTtlMs,
      cacheSize: 10_000,
      now,
    }),
    matches: deps.matchKeys === undefined ? undefined : matchVerifiers(deps, deps.matchKeys.ring),
    loginLimits: deps.loginLimits ?? memoryLoginLimits(deps.settings.loginLimits),
    metrics: createMetrics({ processMetrics: deps.processMetrics ?? false }),
    clientAddress: clientAddressResolver({ trustedProxyHops: deps.settings.trustedProxyHops, header: deps.settings.clientAddressHeader }),
  };
}

/** A game ends after its match token: its result counts within the window from formation (checked by the route). */
function matchVerifiers({ shared, settings, now }: AppDeps, keys: KeyRing) {
  const options = {
    keys,
    issuer: settings.results.matchIssuer,
    audience: shared.audiences.match,
    // Any token lifetime a matchmaker may set, up to a day; the window bounds what counts.
    maxLifetimeMs: Math.max(shared.resultWindowMs, 86_400_000),
    acceptExpiredForMs: shared.resultWindowMs,
    cacheSize: 1_000,
    now,
  };
  return { match: createVerifier({ ...options, purpose: 'match' }), assignment: createVerifier({ ...options, purpose: 'assignment' }) };
}

const POLLED = new Set(['/v1/keys', '/v1/revocations', '/healthz', '/readyz', '/metrics']);

/**
 * @example
 * const app = createApp({ shared, settings, store, keys, passwords: createPasswordHasher(),
 *   now: Date.now, randomId: randomUUID });
 * const res = await app.request('/v1/modes');
 */
export function createApp(deps: AppDeps): Hono<IssuerEnv> {
  const ctx = buildContext(deps);
  const app = openApiApp<IssuerEnv>();
  if (deps.onUndocumented !== undefined) app.use('*', auditResponses(documentOf(app), deps.onUndocumented));
  const log = deps.logger ?? createLogger('ticketbooth-issuer', { level: 'error' });
  app.onError(createErrorHandler({ log: (error, c) => log.error({ err: error, reqId: requestIdOf(c) }, 'unexpected error') }));
  app.notFound(notFound);

  // Players' requests are few (a login, a ticket every few minutes each) and each is logged;
  // machines polling (matchmakers' key and revocation fetches, probes, scrapes) are counted.
  app.use(
    '*',
    ...requestLogging(log, {
      quiet: (method, path) => method === 'GET' && POLLED.has(path),
      onAnswered: (method, route, status, seconds) => ctx.metrics.httpDuration.observe({ method, route, status: String(status) }, seconds),
    }),
  );
  // Before the body limit and the routes: a browser's preflight is answered here, and every answer
  // (a 413 too) carries the headers. The API only: metrics, probes and the dashboard stay
  // unreadable to other sites' pages.
  const cors = corsFor(deps.shared.corsOrigins);
  if (cors !== undefined) app.use('/v1/*', cors);
  app.use('/v1/*', limitBody(deps.settings.maxBodyBytes));

  for (const routes of [accountRoutes, sessionRoutes, partyRoutes, ticketRoutes, catalogRoutes, revocationRoutes, resultRoutes, adminRoutes, operationRoutes]) {
    app.route('/', routes(ctx));
  }
  // GET /openapi.json, built once from the routes above (caches may keep it a while), and the reference at GET /docs.
  app.use('/openapi.json', async function cacheDocument(c, next) {
    await next();
    if (c.res.status === 200) c.header('cache-control', 'public, max-age=300');
  });
  serveDocs(app, ISSUER_DOCS);
  // A page for people, like /docs: not in the API document.
  app.route('/', dashboardRoutes({ title: 'Ticketbooth issuer', view: issuerView(ctx.metrics, deps.now, deps.now()), adminToken: deps.settings.adminToken, draining: deps.isDraining }));
  // A known path asked with another method: 405 with Allow, not 404.
  return answerWrongMethods(app);
}

/** The document the audit checks responses against: the one /openapi.json serves, built on first use. */
function documentOf(app: OpenAPIHono<IssuerEnv>): () => object {
  let document: object | undefined;
  return () => (document ??= app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: ISSUER_DOCS.title, version: ISSUER_DOCS.version } }));
}
