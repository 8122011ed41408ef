// GET /v1/pools and GET /v1/keys: what this matchmaker serves and how to check its matches.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { json, openApiApp, problems } from '@ticketbooth/http';
import { publicKeySet, publicKeySetSchema, type KeyRing } from '@ticketbooth/tickets';
import type { Matchmaker } from '../matchmaker.ts';
import { poolsSchema } from '../schemas.ts';

const poolsRoute = createRoute({
  method: 'get',
  path: '/v1/pools',
  summary: 'Per pool: players queued, oldest wait, matches formed',
  responses: { 200: json(poolsSchema, 'Pools, and whether this matchmaker is still warming up (rebuilding its pools after a start)'), ...problems({}) },
});

const keysRoute = createRoute({
  method: 'get',
  path: '/v1/keys',
  summary: "Public keys (PASERK) that verify this matchmaker's match and assignment tokens",
  responses: { 200: json(publicKeySetSchema, 'Key set (cacheable for a minute)'), ...problems({}) },
});

export function poolRoutes(mm: Matchmaker, matchKeys: KeyRing): OpenAPIHono {
  return openApiApp()
    .openapi(poolsRoute, (c) => c.json({ warmingUp: mm.isWarmingUp(), pools: mm.pools() }, 200))
    .openapi(keysRoute, (c) => {
      c.header('cache-control', 'public, max-age=60');
      return c.json(publicKeySet(matchKeys), 200);
    });
}
