// Public, cacheable reads: GET /v1/keys and GET /v1/modes.
import { Hono } from 'hono';
import { maxPartySizeOf, teamSizeOf } from '@ticketbooth/config';
import { publicKeySet } from '@ticketbooth/tickets';
import type { IssuerContext, IssuerEnv } from '../context.ts';

/**
 * How long verifiers may cache the key set. The operator waits at least this
 * long between `keys rotate` and `keys activate`, so every verifier knows the
 * next key before a token signed with it arrives.
 */
export const KEYS_MAX_AGE_S = 60;

export function catalogRoutes(ctx: IssuerContext): Hono<IssuerEnv> {
  const app = new Hono<IssuerEnv>();

  app.get('/v1/keys', (c) => {
    c.header('cache-control', `public, max-age=${KEYS_MAX_AGE_S}`);
    return c.json(publicKeySet(ctx.keys));
  });

  app.get('/v1/modes', (c) => {
    c.header('cache-control', 'public, max-age=60');
    return c.json({
      modes: Object.entries(ctx.shared.modes).map(([name, m]) => {
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
      }),
      regions: ctx.shared.regions,
      attributes: ctx.shared.attributes,
    });
  });

  return app;
}
