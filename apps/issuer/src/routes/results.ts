// POST /v1/results: a game server reports how a match it hosted ended; the players' skills move once.
import { Hono } from 'hono';
import { Problem, bearerToken, validate } from '@ticketbooth/http';
import { TicketError, type Verified } from '@ticketbooth/tickets';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { outcomeOf, scaleFor, secretDigest, teamUpdate } from '../results.ts';
import { resultRequest } from '../schemas.ts';

const UNAVAILABLE = new Problem(503, 'results-unavailable', 'Results cannot be checked yet', "the matchmakers' keys are not loaded", { 'retry-after': '5' });

export function resultRoutes(ctx: IssuerContext): Hono<IssuerEnv> {
  const app = new Hono<IssuerEnv>();

  app.post('/v1/results', validate('json', resultRequest), async (c) => {
    const server = await ctx.store.gameServerBySecret(secretDigest(bearerToken(c.req.header('authorization'), 1024)));
    if (server === undefined) throw new Problem(401, 'invalid-game-server', 'Unknown game server credential', undefined, { 'www-authenticate': 'Bearer' });
    if (server.revokedAt !== null) throw new Problem(403, 'game-server-revoked', 'This game server was revoked', server.name);
    if (ctx.matches === undefined || ctx.matchKeys === undefined) throw UNAVAILABLE;
    // None loaded yet (the matchmaker started after the issuer): ask now rather than at the next refresh.
    if (ctx.matchKeys.ring.list().length === 0 && !(await ctx.matchKeys.refetchForUnknownKid())) throw UNAVAILABLE;
    const request = c.req.valid('json');
    const { claims, issuedAt } = await verifyMatch(ctx, request.match);
    if (ctx.now() - issuedAt > ctx.settings.results.windowMs) {
      throw new Problem(422, 'result-too-late', 'Too late for a result', `results are taken up to ${ctx.settings.results.windowMs} ms after the match formed`);
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
    const { recorded, result } = await ctx.store.recordResult(
      { matchId: claims.jti, gameServerId: server.id, mode: claims.pool.mode, digest, outcome, reportedAt: ctx.now() },
      members,
      { mu: scale.mu, sigma: scale.sigma },
      teamUpdate(
        claims.teams.map((t) => t.length),
        request.ranks,
        scale,
      ),
    );
    // A replay answers the first result; a different one for the same match is a conflict.
    if (!recorded && result.digest !== digest) {
      throw new Problem(409, 'result-conflict', 'Another result was reported for this match', `reported ${new Date(result.reportedAt).toISOString()}`);
    }
    const body = { match: result.matchId, mode: result.mode, ...(JSON.parse(result.outcome) as object), reportedAt: new Date(result.reportedAt).toISOString() };
    return c.json(body, recorded ? 201 : 200);
  });

  return app;
}

/** The match token, verified with the matchmakers' keys (fetched again once for an unknown kid). */
async function verifyMatch(ctx: IssuerContext, token: string): Promise<Verified<'match'>> {
  const verify = () => ctx.matches!.verify(token);
  try {
    try {
      return verify();
    } catch (error) {
      if (!(error instanceof TicketError && error.code === 'unknown_key') || !(await ctx.matchKeys!.refetchForUnknownKid())) throw error;
      return verify();
    }
  } catch (error) {
    if (!(error instanceof TicketError)) throw error;
    if (error.code === 'unknown_key') throw new Problem(422, 'unknown-match-key', 'Match token signed by an unknown key', error.message);
    if (error.code === 'expired') throw new Problem(422, 'result-too-late', 'Too late for a result', error.message);
    throw new Problem(422, 'invalid-match-token', 'Invalid match token', error.message);
  }
}
