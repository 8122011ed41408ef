// Liveness, readiness, metrics and the API description.
import { Hono } from 'hono';
import { Problem } from '@ticketbooth/http';
import type { Matchmaker } from '../matchmaker.ts';
import type { Metrics } from '../metrics.ts';
import { openApiDocument } from '../openapi.ts';

export function healthRoutes(mm: Matchmaker, metrics: Metrics, isDraining: () => boolean): Hono {
  const document = openApiDocument();
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', (c) => {
      // Ready means tickets can be verified and bans are known; warming up still accepts and rebuilds.
      const reason = isDraining() ? 'shutting down' : mm.notReadyReason();
      if (reason !== undefined) throw new Problem(503, 'not-ready', 'Not ready', reason);
      return c.json({ status: 'ready', warmingUp: mm.isWarmingUp() });
    })
    .get('/metrics', async (c) => {
      c.header('content-type', metrics.registry.contentType);
      return c.body(await metrics.registry.metrics());
    })
    .get('/openapi.json', (c) => c.json(document));
}
