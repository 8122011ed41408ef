// CORS for browser clients: every call carries a bearer token (no cookie), so allowing an origin
// lets its pages send what they could send anyway, and read the answers.
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * The CORS answers for `origins` (exact origins, or `*`): preflights answered, the headers the
 * SDK sends allowed, Retry-After and X-Request-Id exposed, on requests with an Origin only. No origins:
 * no CORS headers at all (browsers then refuse cross-origin reads).
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler | undefined {
  if (origins.length === 0) return undefined;
  // A browser's Origin has no path: `https://game.example.com/` in a config means that origin.
  const allowed = new Set(origins.map((origin) => (origin === '*' ? origin : new URL(origin).origin)));
  const handler = cors({
    origin: allowed.has('*') ? '*' : (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID'],
    exposeHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
  // Only a browser sends Origin: every other answer stays byte for byte what it was (the
  // matchmaker's fast lane, which never sees such a request, answers the same as the app).
  return (c, next) => (c.req.header('origin') === undefined ? next() : handler(c, next));
}
