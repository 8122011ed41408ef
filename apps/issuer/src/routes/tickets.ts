// POST /v1/tickets: a session in, a signed matchmaking ticket out.
import { Hono } from 'hono';
import { matchmakerUrlFor } from '@ticketbooth/config';
import { Problem, validate } from '@ticketbooth/http';
import { TicketError, signToken, toPasetoDate, type TicketErrorCode } from '@ticketbooth/tickets';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { deriveTicketJti, parseIdempotencyKey } from '../idempotency.ts';
import { ticketRequest } from '../schemas.ts';
import { requireSession } from '../session-auth.ts';
import { buildTicketClaims, checkPool, chooseQueuedAt, type PreviousTicket } from '../tickets.ts';

// A previous ticket refused for these reasons is merely too old: the player starts a new wait.
const STALE: ReadonlySet<TicketErrorCode> = new Set(['expired', 'key_inactive', 'unknown_key']);

/** The previous ticket's facts if it is ours and recent enough, undefined if stale; 400 if forged or broken. */
function readPreviousTicket(ctx: IssuerContext, token: string | undefined): PreviousTicket | undefined {
  if (token === undefined) return undefined;
  try {
    const { claims } = ctx.previousTickets.verify(token);
    return { sub: claims.sub, pool: claims.pool, queuedAt: Date.parse(claims.queuedAt) };
  } catch (error) {
    if (error instanceof TicketError && STALE.has(error.code)) return undefined;
    if (error instanceof TicketError) {
      throw new Problem(400, 'invalid-previous-ticket', 'Invalid previous ticket', `${error.code}: ${error.message}`);
    }
    throw error;
  }
}

export function ticketRoutes(ctx: IssuerContext): Hono<IssuerEnv> {
  const app = new Hono<IssuerEnv>();

  app.post('/v1/tickets', requireSession(ctx), validate('json', ticketRequest), async (c) => {
    const { user, claims: session } = c.get('session');
    const body = c.req.valid('json');
    const pool = { mode: body.mode, region: body.region };
    checkPool(ctx.shared, pool, body.latencies);

    const now = ctx.now();
    const keyHeader = c.req.header('idempotency-key');
    const idempotency = keyHeader === undefined ? undefined : parseIdempotencyKey(keyHeader, now, ctx.shared.ticketTtlMs);
    const issuedAt = idempotency?.issuedAt ?? now;
    const queuedAt = chooseQueuedAt(user.id, pool, issuedAt, readPreviousTicket(ctx, body.previousTicket));
    const rating = (await ctx.store.getRating(user.id, pool.mode)) ?? ctx.shared.modes[pool.mode]!.defaultRating;

    const signingKey = ctx.keys.signingKey();
    const jti =
      idempotency === undefined
        ? ctx.randomId()
        : deriveTicketJti(signingKey, { sessionJti: session.jti, userId: user.id, ...body, key: idempotency.key });
    const claims = buildTicketClaims(ctx.shared, {
      userId: user.id,
      pool,
      rating,
      queuedAt,
      issuedAt,
      jti,
      ...(body.latencies === undefined ? {} : { latencies: body.latencies }),
    });
    const ticket = signToken(signingKey, 'ticket', claims);
    ctx.metrics.ticketsIssued.inc(pool);
    c.header('cache-control', 'no-store');
    return c.json({
      ticket,
      matchmakerUrl: matchmakerUrlFor(ctx.shared, pool),
      resubmitAfterMs: ctx.shared.resubmitIntervalMs,
      expiresAt: toPasetoDate(issuedAt + ctx.shared.ticketTtlMs),
    });
  });

  return app;
}
