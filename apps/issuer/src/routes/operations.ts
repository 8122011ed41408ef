// For operators and their tools: /healthz, /readyz, /metrics, /openapi.json.
import { Hono } from 'hono';
import { Problem } from '@ticketbooth/http';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { buildOpenApiDocument } from '../openapi.ts';

export function operationRoutes(ctx: IssuerContext): Hono<IssuerEnv> {
  const app = new Hono<IssuerEnv>();
  const openapi = JSON.stringify(buildOpenApiDocument());

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    if (ctx.isDraining?.()) throw new Problem(503, 'not-ready', 'Not ready', 'shutting down');
    try {
      await ctx.store.ping();
    } catch {
      throw new Problem(503, 'not-ready', 'Not ready', 'database unreachable');
    }
    if (!ctx.keys.hasSigningKey()) throw new Problem(503, 'not-ready', 'Not ready', 'no signing key');
    return c.json({ status: 'ready' });
  });

  app.get('/metrics', async (c) => {
    c.header('content-type', ctx.metrics.registry.contentType);
    return c.body(await ctx.metrics.registry.metrics());
  });

  app.get('/openapi.json', (c) => {
    c.header('content-type', 'application/json');
    c.header('cache-control', 'public, max-age=300');
    return c.body(openapi);
  });

  return app;
}
