// Operator endpoints behind ADMIN_TOKEN: ban, unban, set a rating, register and revoke game
// servers. Absent (404) when no token is configured.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { Problem, bearerToken, validate } from '@ticketbooth/http';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { newGameServerSecret, secretDigest } from '../results.ts';
import { banRequest, gameServerParam, gameServerRequest, ratingParams, ratingRequest, userIdParam } from '../schemas.ts';
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

export function adminRoutes(ctx: IssuerContext): Hono<IssuerEnv> {
  const app = new Hono<IssuerEnv>();
  app.use('/v1/admin/*', requireAdmin(ctx.settings.adminToken));

  app.post('/v1/admin/users/:id/ban', validate('param', userIdParam), validate('json', banRequest), async (c) => {
    const user = await ctx.store.banUser(c.req.valid('param').id, c.req.valid('json').reason, ctx.now());
    if (user === undefined) throw userNotFound();
    return c.json(adminView(user));
  });

  app.post('/v1/admin/users/:id/unban', validate('param', userIdParam), async (c) => {
    const user = await ctx.store.unbanUser(c.req.valid('param').id);
    if (user === undefined) throw userNotFound();
    return c.json(adminView(user));
  });

  app.put('/v1/admin/users/:id/ratings/:mode', validate('param', ratingParams), validate('json', ratingRequest), async (c) => {
    const { id, mode } = c.req.valid('param');
    if (!Object.hasOwn(ctx.shared.modes, mode)) throw unknownMode(ctx.shared, mode);
    const { rating } = c.req.valid('json');
    if (!(await ctx.store.setRating(id, mode, rating, ctx.now()))) throw userNotFound();
    return c.json({ id, mode, rating });
  });

  // The credential is in this answer only: the store keeps its digest.
  app.post('/v1/admin/game-servers', validate('json', gameServerRequest), async (c) => {
    const secret = newGameServerSecret();
    try {
      const server = await ctx.store.addGameServer({ id: ctx.randomId(), name: c.req.valid('json').name, secretDigest: secretDigest(secret), at: ctx.now() });
      return c.json({ ...gameServerView(server), secret }, 201);
    } catch (error) {
      if (error instanceof NameTakenError) throw new Problem(409, 'game-server-name-taken', 'A game server has this name', error.serverName);
      throw error;
    }
  });

  app.get('/v1/admin/game-servers', async (c) => c.json({ gameServers: (await ctx.store.listGameServers()).map(gameServerView) }));

  app.post('/v1/admin/game-servers/:server/revoke', validate('param', gameServerParam), async (c) => {
    const server = await ctx.store.revokeGameServer(c.req.valid('param').server, ctx.now());
    if (server === undefined) throw new Problem(404, 'game-server-not-found', 'No such game server');
    return c.json(gameServerView(server));
  });

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
