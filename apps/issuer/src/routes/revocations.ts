// GET /v1/revocations?since=: the signed feed of bans matchmakers poll.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { json, openApiApp, problems } from '@ticketbooth/http';
import { signToken, toPasetoDate } from '@ticketbooth/tickets';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { BODY_LIMIT, PARAMS_REFUSALS } from '../openapi.ts';
import { revocationsQuery, revocationsResponse } from '../schemas.ts';

/**
 * A revocation matters while a ticket issued before it can still be alive:
 * one ticket lifetime after notBefore, plus this margin for clock skew and
 * poll delay. Older entries are never sent, whatever `since` asks for.
 */
export const REVOCATION_MARGIN_MS = 60_000;
/** Entries per response; a bigger backlog is paged (`complete: false`). Keeps the token near 50 KB. */
export const REVOCATIONS_PAGE = 500;
/** The feed token is short-lived: a stale copy must not hide newer revocations for long. */
export const REVOCATIONS_TOKEN_TTL_MS = 60_000;

export function revocationRoutes(ctx: IssuerContext): OpenAPIHono<IssuerEnv> {
  const app = openApiApp<IssuerEnv>();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/revocations',
      tags: ['Catalog'],
      summary: 'The signed feed of bans matchmakers poll',
      request: { query: revocationsQuery },
      responses: { 200: json(revocationsResponse, 'A page of the feed'), ...problems(PARAMS_REFUSALS, BODY_LIMIT) },
    }),
    async (c) => {
      const now = ctx.now();
      const { since } = c.req.valid('query');
      const asked = since === undefined ? -Infinity : /^\d+$/.test(since) ? Number(since) : Date.parse(since);
      // Never further back than still matters, never later than now (a future `since` means "nothing yet").
      const from = Math.min(now, Math.max(asked, now - ctx.shared.ticketTtlMs - REVOCATION_MARGIN_MS));
      const rows = await ctx.store.listRevocations(from, REVOCATIONS_PAGE + 1);
      const entries = rows.slice(0, REVOCATIONS_PAGE).map((r) => ({ sub: r.sub, notBefore: toPasetoDate(r.notBefore) }));
      const expiresAt = toPasetoDate(now + REVOCATIONS_TOKEN_TTL_MS);
      const token = signToken(ctx.keys.signingKey(), 'revocations', {
        iss: ctx.shared.issuer,
        sub: 'revocations',
        aud: ctx.shared.audiences.revocations,
        iat: toPasetoDate(now),
        exp: expiresAt,
        jti: ctx.randomId(),
        since: toPasetoDate(from),
        entries,
      });
      c.header('cache-control', 'no-store');
      return c.json({ token, expiresAt, complete: rows.length <= REVOCATIONS_PAGE }, 200);
    },
  );

  return app;
}
