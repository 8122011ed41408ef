// The response audit of @ticketbooth/http, taking the operation from the route that answered.
//
// The shared auditResponses takes the last route the request matched (routePath(c, -1)). Here
// that is often another one: answerWrongMethods' middleware, added behind every route, matches
// every request (and the audit then checks nothing), and GET /v1/parties/current matches
// /v1/parties/{id} too. The route that answers is the first one matched under the request's
// method: app.use middleware is registered as ALL, and no route handler calls next().
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { PROBLEM_CONTENT_TYPE, type Undocumented } from '@ticketbooth/http';

interface Operation {
  readonly responses?: Record<string, { content?: Record<string, { schema?: { properties?: { code?: { enum?: string[] } } } }> }>;
}

/** Reports every routed response whose status, or problem `code`, `document` does not list for its operation. */
export function auditResponses(document: () => object, onUndocumented: (finding: Undocumented) => void): MiddlewareHandler {
  return async function audit(c, next) {
    await next();
    const route = matchedRoutes(c).find((r) => r.method !== 'ALL');
    if (route === undefined) return;
    const path = route.path.replaceAll(/:([^/]+)/g, '{$1}');
    const method = c.req.method.toLowerCase();
    const { paths } = document() as { paths?: Record<string, Record<string, Operation | undefined>> };
    const operation = paths?.[path]?.[method];
    if (operation === undefined) return;
    const status = c.res.status;
    const listed = operation.responses?.[String(status)];
    const isProblem = c.res.headers.get('content-type')?.startsWith(PROBLEM_CONTENT_TYPE) === true;
    const code = isProblem ? ((await c.res.clone().json()) as { code?: string }).code : undefined;
    if (listed === undefined) return onUndocumented({ method, path, status, ...(code === undefined ? {} : { code }) });
    if (code === undefined) return;
    const codes = listed.content?.[PROBLEM_CONTENT_TYPE]?.schema?.properties?.code?.enum;
    if (codes === undefined || !codes.includes(code)) onUndocumented({ method, path, status, code });
  };
}
