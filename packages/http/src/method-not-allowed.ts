// 405 with Allow for a known path asked with a method it does not take, instead of a 404.
import type { Context, Env, Hono, MiddlewareHandler, Schema } from 'hono';
import { matchedRoutes } from 'hono/route';
import { TrieRouter } from 'hono/router/trie-router';
import { Problem, problemAnswer } from './problem.ts';

/** Methods in the order RFC 9110 lists them; any other sorts after these. */
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Makes `app` answer `405 method-not-allowed` with an `Allow` header when a request's path
 * matches its routes under other methods only. Call it once the routes are added: the
 * routes are read then. It also works on a route module mounted with `route()`: the answer
 * is only changed when no route of the whole app took the request, and the `Allow` of
 * several modules whose paths match is merged.
 *
 * @example
 * const routes = new Hono().post('/v1/queue', submit).delete('/v1/queue', leave);
 * return answerWrongMethods(routes); // GET /v1/queue: 405, Allow: POST, DELETE
 */
export function answerWrongMethods<E extends Env, S extends Schema, B extends string>(app: Hono<E, S, B>): Hono<E, S, B> {
  const methodsAt = routeMethods(app.routes);
  const wrongMethod: MiddlewareHandler = async function wrongMethod(c, next) {
    await next();
    const { status } = c.res;
    if ((status !== 404 && status !== 405) || routed(c)) return;
    const methods = methodsAt(c.req.path);
    if (methods.size === 0) return;
    // A 405 from another module (nothing was routed, so it is one of ours) names its methods too.
    const earlier = status === 405 ? c.res.headers.get('allow') : null;
    for (const method of earlier?.split(',') ?? []) methods.add(method.trim());
    const allow = sortMethods(methods).join(', ');
    c.res.headers.delete('allow');
    const { body, headers } = problemAnswer(new Problem(405, 'method-not-allowed', 'Method not allowed', `${c.req.method} ${c.req.path}: allowed ${allow}`, { allow }));
    c.res = new Response(body, { status: 405, headers });
  };
  app.use('*', wrongMethod);
  return app;
}

/** The methods a path is routed for (HEAD wherever GET is: Hono answers it), from a route list. */
export function routeMethods(routes: readonly { readonly method: string; readonly path: string }[]): (path: string) => Set<string> {
  const router = new TrieRouter<string>();
  // Every route under ALL, its method as the handler: one match then yields them all.
  for (const { method, path } of routes) if (method !== 'ALL') router.add('ALL', path, method);
  return (path) => {
    const methods = new Set(router.match('GET', path)[0].map(([method]) => method));
    if (methods.has('GET')) methods.add('HEAD');
    return methods;
  };
}

/** Whether a route (not only middleware, which Hono registers as ALL) matched this request's method. */
function routed(c: Context): boolean {
  return matchedRoutes(c).some((route) => route.method !== 'ALL');
}

function sortMethods(methods: Iterable<string>): string[] {
  const rank = (method: string) => (ORDER.includes(method) ? ORDER.indexOf(method) : ORDER.length);
  return [...methods].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
