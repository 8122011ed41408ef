// POST /v1/tickets: a session in, a signed matchmaking ticket out (for the caller, or for their party).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { matchmakerUrlFor, type SharedConfig } from '@ticketbooth/config';
import { BODY_REFUSALS, Problem, json, jsonBody, openApiApp, problems, requireJson, mergeRefusals } from '@ticketbooth/http';
import { TicketError, signToken, type Attributes, type TicketClaims, type TicketErrorCode } from '@ticketbooth/tickets';
import type { z } from 'zod';
import type { ActiveSession, IssuerContext, IssuerEnv } from '../context.ts';
import { deriveTicketJti, parseIdempotencyKey, type IdempotencyKey } from '../idempotency.ts';
import { SESSION, SESSION_REFUSALS } from '../openapi.ts';
import { loadTicketParty, partySearchStart, partyTicketIssuedAt, partyTicketJti, type TicketParty } from '../party-tickets.ts';
import { ticketRequest, ticketResponse } from '../schemas.ts';
import { requireSession } from '../session-auth.ts';
import { DEFAULT_SKILL_SCALE } from '../skill.ts';
import { buildTicketClaims, checkPool, chooseQueuedAt, soloGroup, type PreviousTicket } from '../tickets.ts';

// A previous ticket refused for these reasons is merely too old: the player starts a new wait.
const STALE: ReadonlySet<TicketErrorCode> = new Set(['expired', 'key_inactive', 'unknown_key']);

/** The previous ticket's facts if it is ours and recent enough, undefined if stale; 400 if forged or broken. */
function readPreviousTicket(ctx: IssuerContext, token: string | undefined): PreviousTicket | undefined {
  if (token === undefined) return undefined;
  try {
    const { claims } = ctx.previousTickets.verify(token);
    return {
      sub: claims.sub,
      pool: claims.pool,
      queuedAt: Date.parse(claims.queuedAt),
      ...(claims.party === undefined ? {} : { party: claims.party.map((m) => m.sub) }),
    };
  } catch (error) {
    if (error instanceof TicketError && STALE.has(error.code)) return undefined;
    if (error instanceof TicketError) {
      throw new Problem(400, 'invalid-previous-ticket', 'Invalid previous ticket', `${error.code}: ${error.message}`);
    }
    throw error;
  }
}

interface TicketRequest {
  readonly session: ActiveSession;
  readonly body: z.infer<typeof ticketRequest>;
  readonly now: number;
  readonly idempotency: IdempotencyKey | undefined;
  readonly previous: PreviousTicket | undefined;
}

/** The caller's own ticket: `iat` now (or the Idempotency-Key's time), `jti` random (or derived from that key). */
async function soloClaims(ctx: IssuerContext, request: TicketRequest): Promise<TicketClaims> {
  const { session, body, idempotency } = request;
  const { user } = session;
  const pool = { mode: body.mode, region: body.region };
  const issuedAt = idempotency?.issuedAt ?? request.now;
  const queuedAt = chooseQueuedAt(ctx.shared, user.id, soloGroup(user.id), pool, issuedAt, request.previous);
  const read = session.rating?.mode === pool.mode ? session.rating : { value: await ctx.store.getRating(user.id, pool.mode), sigma: undefined };
  const rating = read.value ?? ctx.shared.modes[pool.mode]!.defaultRating;
  // A new player is as unsure as the model starts; one an admin rated (no sigma yet) carries none.
  const uncertainty = read.value === undefined ? DEFAULT_SKILL_SCALE.sigma : read.sigma;
  const jti =
    idempotency === undefined
      ? ctx.randomId()
      : deriveTicketJti(ctx.keys.signingKey(), { sessionJti: session.claims.jti, userId: user.id, ...body, key: idempotency.key });
  return buildTicketClaims(ctx.shared, { userId: user.id, pool, rating, ...(uncertainty === undefined ? {} : { uncertainty }), queuedAt, issuedAt, jti, ...latenciesOf(body), ...attributesOf(body) });
}

/** The party's ticket: claims that depend only on the party and the request, never on which member asks. */
function partyClaims(ctx: IssuerContext, request: TicketRequest, { party, members }: TicketParty): TicketClaims {
  const { body } = request;
  const [leader, ...others] = members;
  const pool = { mode: body.mode, region: body.region };
  const issuedAt = partyTicketIssuedAt(party.changedAt, request.now, ctx.shared.ticketTtlMs);
  const group = { leader: leader!.sub, members: others.map((m) => m.sub) };
  const searchStart = partySearchStart(issuedAt, request.now, ctx.shared.resubmitIntervalMs);
  const queuedAt = chooseQueuedAt(ctx.shared, request.session.user.id, group, pool, searchStart, request.previous);
  const jti = partyTicketJti(ctx.keys.signingKey(), { partyId: party.id, version: party.version, issuedAt, pool, queuedAt, ...latenciesOf(body), ...attributesOf(body) });
  return buildTicketClaims(ctx.shared, {
    userId: leader!.sub,
    pool,
    rating: leader!.rating,
    queuedAt,
    issuedAt,
    jti,
    party: others,
    ...latenciesOf(body),
    ...attributesOf(body),
  });
}

const latenciesOf = (body: { readonly latencies?: Readonly<Record<string, number>> | undefined }) =>
  body.latencies === undefined ? {} : { latencies: body.latencies };
const attributesOf = (body: { readonly attributes?: Attributes | undefined }) => (body.attributes === undefined ? {} : { attributes: body.attributes });

/**
 * The mode the body names, peeked at before validation so that the session's store read brings
 * the rating too; the validated body decides (a mode that differs is read again). A body that
 * does not parse, or a mode the config does not name, names none: validation answers it after
 * the session checks, as before.
 */
const modeNamed = (modes: SharedConfig['modes']) =>
  async function modeNamed(c: Context<IssuerEnv>): Promise<string | undefined> {
    try {
      const body: unknown = await c.req.json();
      const mode = typeof body === 'object' && body !== null ? (body as { mode?: unknown }).mode : undefined;
      // Only a mode the config names goes into the store read, which other requests share.
      return typeof mode === 'string' && Object.hasOwn(modes, mode) ? mode : undefined;
    } catch {
      return undefined;
    }
  };

const TICKET_REFUSALS = mergeRefusals(SESSION_REFUSALS, BODY_REFUSALS, {
  400: {
    'invalid-idempotency-key': 'The Idempotency-Key is not `<unix-ms>.<random>`, or its time is outside the ticket lifetime around now.',
    'invalid-previous-ticket': 'The previous ticket is not one this issuer signed (expired or retired-key ones are merely stale: a new wait starts).',
  },
  403: {
    'ticket-not-yours': 'The previous ticket belongs to another player.',
    'party-member-banned': 'A member of the party is banned; the leader can remove them.',
  },
  404: { 'party-not-found': 'No such party, or the caller is not in it.' },
  422: {
    'unknown-mode': 'No such mode here (see GET /v1/modes).',
    'unknown-region': 'No such region here, in `region` or `latencies`.',
    'latencies-required': 'The mode matches by latency: send `latencies`.',
    'unknown-attribute': 'An attribute the issuer does not vouch for.',
    'attribute-not-allowed': 'An attribute value outside its allow-list, or one value for a set (or a set for one).',
    'party-mode-mismatch': 'The party plays another mode.',
  },
});

export function ticketRoutes(ctx: IssuerContext): OpenAPIHono<IssuerEnv> {
  const app = openApiApp<IssuerEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/tickets',
      tags: ['Tickets'],
      summary: 'Issue a matchmaking ticket, for the caller or for their party',
      security: SESSION,
      parameters: [
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: '`<unix-ms>.<random>`: the same request with the same key returns a byte-identical ticket',
          schema: { type: 'string', pattern: '^\\d{13}\\.[A-Za-z0-9_-]{16,64}$' },
        },
      ],
      request: { body: jsonBody(ticketRequest) },
      // The rating is read with the session's user, in one store read: the body's mode is peeked at for it.
      middleware: [requireSession(ctx, { ratingMode: modeNamed(ctx.shared.modes) }), requireJson] as const,
      responses: { 200: json(ticketResponse, 'A ticket, to send to matchmakerUrl'), ...problems(TICKET_REFUSALS) },
    }),
    async (c) => {
      const session = c.get('session');
      const body = c.req.valid('json');
      const pool = { mode: body.mode, region: body.region };
      checkPool(ctx.shared, pool, body.latencies, body.attributes);

      const now = ctx.now();
      const keyHeader = c.req.header('idempotency-key');
      // Checked for a party ticket too, though it changes nothing there: party tickets are deterministic already.
      const idempotency = keyHeader === undefined ? undefined : parseIdempotencyKey(keyHeader, now, ctx.shared.ticketTtlMs);
      const request: TicketRequest = { session, body, now, idempotency, previous: readPreviousTicket(ctx, body.previousTicket) };
      const party =
        body.party === undefined ? undefined : await loadTicketParty(ctx.store, ctx.shared, { callerId: session.user.id, partyId: body.party, mode: pool.mode });
      // Everyone else left: a party of one queues as a solo player.
      const asParty = party !== undefined && party.members.length > 1 ? party : undefined;
      const claims = asParty === undefined ? await soloClaims(ctx, request) : partyClaims(ctx, request, asParty);

      const ticket = signToken(ctx.keys.signingKey(), 'ticket', claims);
      ctx.metrics.ticketsIssued.inc(pool);
      c.header('cache-control', 'no-store');
      return c.json(
        {
          ticket,
          matchmakerUrl: matchmakerUrlFor(ctx.shared, pool),
          resubmitAfterMs: ctx.shared.resubmitIntervalMs,
          expiresAt: claims.exp,
          ...(asParty === undefined ? {} : { party: { id: asParty.party.id, version: asParty.party.version } }),
        },
        200,
      );
    },
  );

  return app;
}
