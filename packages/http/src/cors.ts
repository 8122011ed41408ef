// CORS for browser clients: every call carries a bearer token (no cookie), so allowing an origin
// lets its pages send what they could send anyway, and read the answers.
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * The CORS answers for `origins` (exact origins, or `*`): preflights answered, the headers the
 * SDK sends allowed, Retry-After and X-Request-Id exposed. No origins:
 * no CORS headers at all (browsers then refuse cross-origin reads).
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler | undefined {
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins);
  return cors({
    origin: allowed.has('*') ? '*' : (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID'],
    exposeHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
}
