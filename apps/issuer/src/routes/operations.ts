// For operators and their tools: /healthz, /readyz, /metrics. (/openapi.json and /docs: serveDocs in app.ts.)
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { Problem, json, openApiApp, problems } from '@ticketbooth/http';
import { z } from 'zod';
import type { IssuerContext, IssuerEnv } from '../context.ts';

export function operationRoutes(ctx: IssuerContext): OpenAPIHono<IssuerEnv> {
  const app = openApiApp<IssuerEnv>();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['Operations'],
      summary: 'Liveness: the process answers',
      responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive'), ...problems({}) },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['Operations'],
      summary: 'Readiness: the database answers and a signing key is loaded',
      responses: {
        200: json(z.object({ status: z.literal('ready') }), 'Ready'),
        ...problems({ 503: { 'not-ready': 'Shutting down, the database is unreachable, or no signing key is loaded (`detail` says which).' } }),
      },
    }),
    async (c) => {
      if (ctx.isDraining?.()) throw new Problem(503, 'not-ready', 'Not ready', 'shutting down');
      try {
        await ctx.store.ping();
      } catch {
        throw new Problem(503, 'not-ready', 'Not ready', 'database unreachable');
      }
      if (!ctx.keys.hasSigningKey()) throw new Problem(503, 'not-ready', 'Not ready', 'no signing key');
      return c.json({ status: 'ready' as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/metrics',
      tags: ['Operations'],
      summary: 'Prometheus metrics',
      responses: {
        200: { description: 'The text exposition format', content: { 'text/plain': { schema: z.string() } } },
        ...problems({}),
      },
    }),
    async (c) => c.text(await ctx.metrics.registry.metrics(), 200, { 'Content-Type': ctx.metrics.registry.contentType }),
  );

  return app;
}
