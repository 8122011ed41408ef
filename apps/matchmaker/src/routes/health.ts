// Liveness, readiness and metrics.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { Problem, json, openApiApp, problems } from '@ticketbooth/http';
import { z } from 'zod';
import type { Matchmaker } from '../matchmaker.ts';
import type { Metrics } from '../metrics.ts';

const liveRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness',
  responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive'), ...problems({}) },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: ticket keys loaded, bans known',
  description: 'A matchmaker still warming up is ready: it accepts tickets and rebuilds its pools from them.',
  responses: {
    200: json(z.object({ status: z.literal('ready'), warmingUp: z.boolean() }), 'Ready'),
    ...problems({
      503: { 'not-ready': 'No ticket verification keys loaded yet, the revocation feed not loaded yet, or shutting down (`detail` says which).' },
    }),
  },
});

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics',
  responses: { 200: { description: 'The text exposition format', content: { 'text/plain': { schema: z.string() } } }, ...problems({}) },
});

export function healthRoutes(mm: Matchmaker, metrics: Metrics, isDraining: () => boolean): OpenAPIHono {
  return openApiApp()
    .openapi(liveRoute, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readyRoute, (c) => {
      // Ready means tickets can be verified and bans are known; warming up still accepts and rebuilds.
      const reason = isDraining() ? 'shutting down' : mm.notReadyReason();
      if (reason !== undefined) throw new Problem(503, 'not-ready', 'Not ready', reason);
      return c.json({ status: 'ready' as const, warmingUp: mm.isWarmingUp() }, 200);
    })
    // The registry's content type (its format version) over c.text's plain one.
    .openapi(metricsRoute, async (c) => c.text(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }));
}
