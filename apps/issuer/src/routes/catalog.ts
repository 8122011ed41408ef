// Public, cacheable reads: GET /v1/keys and GET /v1/modes.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { maxPartySizeOf, teamSizeOf } from '@ticketbooth/config';
import { json, openApiApp, problems } from '@ticketbooth/http';
import { publicKeySet } from '@ticketbooth/tickets';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { BODY_LIMIT } from '../openapi.ts';
import { keysResponse, modesResponse } from '../schemas.ts';

/**
 * How long verifiers may cache the key set. The operator waits at least this
 * long between `keys rotate` and `keys activate`, so every verifier knows the
 * next key before a token signed with it arrives.
 */
export const KEYS_MAX_AGE_S = 60;

export function catalogRoutes(ctx: IssuerContext): OpenAPIHono<IssuerEnv> {
  const app = openApiApp<IssuerEnv>();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/keys',
      tags: ['Catalog'],
      summary: 'The keys tokens are verified with (PASERK k4.public); cacheable for a minute',
      responses: { 200: json(keysResponse, 'The key set'), ...problems(BODY_LIMIT) },
    }),
    (c) => {
      c.header('cache-control', `public, max-age=${KEYS_MAX_AGE_S}`);
      return c.json(publicKeySet(ctx.keys), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/modes',
      tags: ['Catalog'],
      summary: 'Modes, regions and the attributes a ticket may carry',
      responses: { 200: json(modesResponse, 'What this deployment offers'), ...problems(BODY_LIMIT) },
    }),
    (c) => {
      const modes = Object.entries(ctx.shared.modes).map(([name, m]) => {
        const size = teamSizeOf(m);
        return {
          name,
          teams: m.teams,
          teamSize: size.max,
          minTeamSize: size.min,
          maxPartySize: maxPartySizeOf(m),
          latency: m.latency ?? null,
          attributes: { equal: m.attributes?.equal ?? [], intersect: m.attributes?.intersect ?? [] },
        };
      });
      c.header('cache-control', 'public, max-age=60');
      return c.json({ modes, regions: ctx.shared.regions, attributes: ctx.shared.attributes }, 200);
    },
  );

  return app;
}
