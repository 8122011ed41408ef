// Operator endpoints behind ADMIN_TOKEN: ban, unban, set a rating, register and revoke game
// servers. Absent (404) when no token is configured.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { BODY_REFUSALS, Problem, bearerToken, json, jsonBody, openApiApp, problems, requireJson, type Refusals, mergeRefusals } from '@ticketbooth/http';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { ADMIN, ADMIN_REFUSALS, BODY_LIMIT, PARAMS_REFUSALS } from '../openapi.ts';
import { newGameServerSecret, secretDigest } from '../results.ts';
import {
  adminUserResponse,
  banRequest,
  createdGameServerResponse,
  gameServerParam,
  gameServerRequest,
  gameServerResponse,
  gameServersResponse,
  ratingParams,
  ratingRequest,
  ratingResponse,
  userIdParam,
} from '../schemas.ts';
import { NameTakenError, type GameServer } from '../store/result-store.ts';
import type { User } from '../store/user-store.ts';
import { unknownMode } from '../tickets.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares digests, so neither content nor length of the token leaks through timing. */
function requireAdmin(adminToken: string | undefined): MiddlewareHandler<IssuerEnv> {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return async function requireAdmin(c, next) {
    if (expected === undefined) throw new Problem(404, 'admin-disabled', 'Admin endpoints are disabled', 'set ADMIN_TOKEN');
    const given = digest(bearerToken(c.req.header('authorization'), 1024));
    if (!timingSafeEqual(given, expected)) {
      throw new Problem(401, 'invalid-admin-token', 'Invalid admin token', undefined, { 'www-authenticate': 'Bearer' });
    }
    await next();
  };
}

const userNotFound = () => new Problem(404, 'user-not-found', 'No such user');

function adminView(user: User) {
  return { id: user.id, username: user.username, banned: user.banned, banReason: user.banReason, sessionEpoch: user.sessionEpoch };
}

const USER_NOT_FOUND: Refusals = { 404: { 'user-not-found': 'No user has this id.' } };

/** What every admin route may answer before its own refusals: the guard's, and the app's body limit. */
const GUARDED = mergeRefusals(ADMIN_REFUSALS, BODY_LIMIT);

export function adminRoutes(ctx: IssuerContext): OpenAPIHono<IssuerEnv> {
  const app = openApiApp<IssuerEnv>();
  // Every method under /v1/admin, routed or not: without the token, not even a 405 tells what exists.
  app.use('/v1/admin/*', requireAdmin(ctx.settings.adminToken));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/users/{id}/ban',
      tags: ['Admin'],
      summary: 'Ban a user: their sessions stop working, and the ban reaches matchmakers through the revocation feed',
      security: ADMIN,
      request: { params: userIdParam, body: jsonBody(banRequest) },
      middleware: [requireJson] as const,
      responses: { 200: json(adminUserResponse, 'Banned'), ...problems(GUARDED, PARAMS_REFUSALS, BODY_REFUSALS, USER_NOT_FOUND) },
    }),
    async (c) => {
      const user = await ctx.store.banUser(c.req.valid('param').id, c.req.valid('json').reason, ctx.now());
      if (user === undefined) throw userNotFound();
      return c.json(adminView(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/users/{id}/unban',
      tags: ['Admin'],
      summary: 'Unban a user',
      security: ADMIN,
      request: { params: userIdParam },
      responses: { 200: json(adminUserResponse, 'Unbanned'), ...problems(GUARDED, PARAMS_REFUSALS, USER_NOT_FOUND) },
    }),
    async (c) => {
      const user = await ctx.store.unbanUser(c.req.valid('param').id);
      if (user === undefined) throw userNotFound();
      return c.json(adminView(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/admin/users/{id}/ratings/{mode}',
      tags: ['Admin'],
      summary: "Set a user's rating in a mode",
      security: ADMIN,
      request: { params: ratingParams, body: jsonBody(ratingRequest) },
      middleware: [requireJson] as const,
      responses: {
        200: json(ratingResponse, 'The rating'),
        ...problems(GUARDED, PARAMS_REFUSALS, BODY_REFUSALS, USER_NOT_FOUND, { 422: { 'unknown-mode': 'No such mode here.' } }),
      },
    }),
    async (c) => {
      const { id, mode } = c.req.valid('param');
      if (!Object.hasOwn(ctx.shared.modes, mode)) throw unknownMode(ctx.shared, mode);
      const { rating } = c.req.valid('json');
      if (!(await ctx.store.setRating(id, mode, rating, ctx.now()))) throw userNotFound();
      return c.json({ id, mode, rating }, 200);
    },
  );

  // The credential is in this answer only: the store keeps its digest.
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/game-servers',
      tags: ['Admin'],
      summary: 'Register a game server; its credential is in this answer only',
      security: ADMIN,
      request: { body: jsonBody(gameServerRequest) },
      middleware: [requireJson] as const,
      responses: {
        201: json(createdGameServerResponse, 'Registered, with its credential'),
        ...problems(GUARDED, BODY_REFUSALS, { 409: { 'game-server-name-taken': 'A game server has this name already.' } }),
      },
    }),
    async (c) => {
      const secret = newGameServerSecret();
      try {
        const server = await ctx.store.addGameServer({ id: ctx.randomId(), name: c.req.valid('json').name, secretDigest: secretDigest(secret), at: ctx.now() });
        return c.json({ ...gameServerView(server), secret }, 201);
      } catch (error) {
        if (error instanceof NameTakenError) throw new Problem(409, 'game-server-name-taken', 'A game server has this name', error.serverName);
        throw error;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/admin/game-servers',
      tags: ['Admin'],
      summary: 'Every registered game server, revoked ones too',
      security: ADMIN,
      responses: { 200: json(gameServersResponse, 'The game servers'), ...problems(GUARDED) },
    }),
    async (c) => c.json({ gameServers: (await ctx.store.listGameServers()).map(gameServerView) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/game-servers/{server}/revoke',
      tags: ['Admin'],
      summary: 'Revoke a game server, named by id or else by name: its results are refused from then on',
      security: ADMIN,
      request: { params: gameServerParam },
      responses: {
        200: json(gameServerResponse, 'Revoked'),
        ...problems(GUARDED, PARAMS_REFUSALS, { 404: { 'game-server-not-found': 'No game server has this id or name.' } }),
      },
    }),
    async (c) => {
      const server = await ctx.store.revokeGameServer(c.req.valid('param').server, ctx.now());
      if (server === undefined) throw new Problem(404, 'game-server-not-found', 'No such game server');
      return c.json(gameServerView(server), 200);
    },
  );

  return app;
}

function gameServerView(server: GameServer) {
  return {
    id: server.id,
    name: server.name,
    createdAt: new Date(server.createdAt).toISOString(),
    revokedAt: server.revokedAt === null ? null : new Date(server.revokedAt).toISOString(),
  };
}
