// POST /v1/results: a game server reports how a match it hosted ended; the players' skills move once.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { BODY_REFUSALS, Problem, bearerToken, json, jsonBody, openApiApp, problems, requireJson, mergeRefusals } from '@ticketbooth/http';
import { TicketError } from '@ticketbooth/tickets';
import type { z } from 'zod';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { GAME_SERVER } from '../openapi.ts';
import { outcomeOf, scaleFor, secretDigest, teamUpdate } from '../results.ts';
import { resultRequest, resultResponse } from '../schemas.ts';
import { UnknownPlayerError } from '../store/result-store.ts';

const UNAVAILABLE = new Problem(503, 'results-unavailable', 'Results cannot be checked yet', "the matchmakers' keys are not loaded", { 'retry-after': '5' });

const RESULT_REFUSALS = mergeRefusals(BODY_REFUSALS, {
  401: {
    'missing-token': 'No `Authorization: Bearer <credential>` header.',
    'too-large': 'The credential is longer than 1 KiB.',
    'invalid-game-server': 'Not the credential of a registered game server.',
  },
  403: { 'game-server-revoked': 'The game server was revoked.' },
  409: { 'result-conflict': 'Another result was reported for this match.' },
  422: {
    'invalid-match-token': 'The match token does not verify (`detail` says why).',
    'unknown-match-key': 'The match token is signed by a key no matchmaker publishes.',
    'result-too-late': 'The match formed longer ago than the result window (or its token expired past it).',
    'assignment-required': 'The match had an accept step: send its assignment token too.',
    'invalid-assignment-token': 'The assignment token does not verify (`detail` says why).',
    'unknown-assignment-key': 'The assignment token is signed by a key no matchmaker publishes.',
    'wrong-assignment': 'The assignment is for another match.',
    'unknown-mode': 'The match is of a mode this issuer does not have.',
    'ranks-do-not-fit': 'Not one rank per team of the match.',
    'not-in-match': 'Scores for players not in the match.',
    'unknown-player': 'The match names a player this issuer does not know.',
  },
  503: { 'results-unavailable': "The matchmakers' keys are not loaded yet; `Retry-After` says when to try again." },
});

export function resultRoutes(ctx: IssuerContext): OpenAPIHono<IssuerEnv> {
  const app = openApiApp<IssuerEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/results',
      tags: ['Results'],
      summary: "A match's result, from its game server: the players' ratings move once",
      security: GAME_SERVER,
      request: { body: jsonBody(resultRequest) },
      middleware: [requireJson] as const,
      responses: {
        201: json(resultResponse, 'Recorded'),
        200: json(resultResponse, 'The same result again: the first one, as recorded'),
        ...problems(RESULT_REFUSALS),
      },
    }),
    async (c) => {
      const server = await ctx.store.gameServerBySecret(secretDigest(bearerToken(c.req.header('authorization'), 1024)));
      if (server === undefined) throw new Problem(401, 'invalid-game-server', 'Unknown game server credential', undefined, { 'www-authenticate': 'Bearer' });
      if (server.revokedAt !== null) throw new Problem(403, 'game-server-revoked', 'This game server was revoked', server.name);
      if (ctx.matches === undefined || ctx.matchKeys === undefined) throw UNAVAILABLE;
      // None loaded yet (the matchmaker started after the issuer): ask now rather than at the next refresh.
      if (ctx.matchKeys.ring.list().length === 0 && !(await ctx.matchKeys.refetchForUnknownKid())) throw UNAVAILABLE;
      const request = c.req.valid('json');
      const { claims, issuedAt } = await verifySigned(ctx, () => ctx.matches!.match.verify(request.match), 'match');
      if (ctx.now() - issuedAt > ctx.shared.resultWindowMs) {
        throw new Problem(422, 'result-too-late', 'Too late for a result', `results are taken up to ${ctx.shared.resultWindowMs} ms after the match formed`);
      }
      // A match with an accept step may have been cancelled: its assignment shows it was settled.
      if (claims.acceptBy !== undefined) {
        if (request.assignment === undefined) throw new Problem(422, 'assignment-required', 'This match had an accept step: send its assignment token too');
        const assignment = await verifySigned(ctx, () => ctx.matches!.assignment.verify(request.assignment!), 'assignment');
        if (assignment.claims.match !== claims.jti) throw new Problem(422, 'wrong-assignment', 'The assignment is for another match');
      }
      const mode = ctx.shared.modes[claims.pool.mode];
      if (mode === undefined) throw new Problem(422, 'unknown-mode', 'Unknown mode', `${claims.pool.mode} is not a mode of this issuer`);
      if (request.ranks.length !== claims.teams.length) {
        throw new Problem(422, 'ranks-do-not-fit', 'One rank per team', `the match has ${claims.teams.length} teams, the result ranks ${request.ranks.length}`);
      }
      const members = claims.teams.flat().map((m) => m.sub);
      const strangers = Object.keys(request.scores ?? {}).filter((sub) => !members.includes(sub));
      if (strangers.length > 0) throw new Problem(422, 'not-in-match', 'Scores for players not in the match', strangers.slice(0, 5).join(', '));

      const { outcome, digest } = outcomeOf(request);
      const scale = scaleFor(mode.defaultRating);
      const { recorded, result } = await recordOrRefuse(() => ctx.store.recordResult(
        { matchId: claims.jti, gameServerId: server.id, mode: claims.pool.mode, digest, outcome, reportedAt: ctx.now() },
        members,
        { mu: scale.mu, sigma: scale.sigma },
        teamUpdate(
          claims.teams.map((t) => t.length),
          request.ranks,
          scale,
        ),
      ));
      // A replay answers the first result; a different one for the same match is a conflict.
      if (!recorded && result.digest !== digest) {
        throw new Problem(409, 'result-conflict', 'Another result was reported for this match', `reported ${new Date(result.reportedAt).toISOString()}`);
      }
      const stored = JSON.parse(result.outcome) as Pick<z.infer<typeof resultResponse>, 'ranks' | 'scores'>;
      const body = { match: result.matchId, mode: result.mode, ...stored, reportedAt: new Date(result.reportedAt).toISOString() };
      return recorded ? c.json(body, 201) : c.json(body, 200);
    },
  );

  return app;
}

async function recordOrRefuse<T>(record: () => Promise<T>): Promise<T> {
  try {
    return await record();
  } catch (error) {
    if (error instanceof UnknownPlayerError) throw new Problem(422, 'unknown-player', 'The match names a player this issuer does not know');
    throw error;
  }
}

/** A token the matchmakers signed, verified with their keys (fetched again once for an unknown kid). */
async function verifySigned<T>(ctx: IssuerContext, verify: () => T, what: 'match' | 'assignment'): Promise<T> {
  try {
    try {
      return verify();
    } catch (error) {
      if (!(error instanceof TicketError && error.code === 'unknown_key') || !(await ctx.matchKeys!.refetchForUnknownKid())) throw error;
      return verify();
    }
  } catch (error) {
    if (!(error instanceof TicketError)) throw error;
    if (error.code === 'unknown_key') throw new Problem(422, `unknown-${what}-key`, `${what === 'match' ? 'Match' : 'Assignment'} token signed by an unknown key`, error.message);
    if (error.code === 'expired') throw new Problem(422, 'result-too-late', 'Too late for a result', error.message);
    throw new Problem(422, `invalid-${what}-token`, `Invalid ${what} token`, error.message);
  }
}
