// POST /v1/results: a game server reports how a match it hosted ended; the players' skills move once.
import { Hono } from 'hono';
import { Problem, bearerToken, validate } from '@ticketbooth/http';
import { TicketError } from '@ticketbooth/tickets';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { outcomeOf, scaleFor, secretDigest, teamUpdate } from '../results.ts';
import { resultRequest } from '../schemas.ts';
import { UnknownPlayerError } from '../store/result-store.ts';

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
    const body = { match: result.matchId, mode: result.mode, ...(JSON.parse(result.outcome) as object), reportedAt: new Date(result.reportedAt).toISOString() };
    return c.json(body, recorded ? 201 : 200);
  });

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
