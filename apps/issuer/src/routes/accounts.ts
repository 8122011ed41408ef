// POST /v1/accounts (register) and PUT /v1/accounts/me/password.
import { Hono } from 'hono';
import { Problem, validate } from '@ticketbooth/http';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { normalizePassword } from '../credentials.ts';
import { checkLoginLimits, invalidCredentials, timed } from '../login.ts';
import { accountRequest, passwordChangeRequest } from '../schemas.ts';
import { requireSession, signSession } from '../session-auth.ts';
import { UsernameTakenError } from '../store/user-store.ts';

const usernameTaken = () => new Problem(409, 'username-taken', 'Username taken', 'choose another username');

export function accountRoutes(ctx: IssuerContext): Hono<IssuerEnv> {
  const app = new Hono<IssuerEnv>();

  app.post('/v1/accounts', validate('json', accountRequest), async (c) => {
    const { username, password } = c.req.valid('json');
    // Registration costs a hash too, so it shares the per-address budget with logins.
    await checkLoginLimits(ctx, undefined, ctx.clientAddress(c));
    if ((await ctx.store.findUserByUsername(username)) !== undefined) throw usernameTaken();
    const passwordHash = await timed(ctx, 'hash', () => ctx.passwords.hash(password));
    try {
      const user = await ctx.store.createUser({ id: ctx.randomId(), username, passwordHash, createdAt: ctx.now() });
      return c.json({ id: user.id, username: user.username }, 201);
    } catch (error) {
      if (error instanceof UsernameTakenError) throw usernameTaken();
      throw error;
    }
  });

  app.put('/v1/accounts/me/password', requireSession(ctx), validate('json', passwordChangeRequest), async (c) => {
    const { user } = c.get('session');
    const { currentPassword, newPassword } = c.req.valid('json');
    await checkLoginLimits(ctx, user.username, ctx.clientAddress(c));
    const ok = await timed(ctx, 'verify', () => ctx.passwords.verify(user.passwordHash, normalizePassword(currentPassword)));
    if (!ok) throw invalidCredentials();
    const passwordHash = await timed(ctx, 'hash', () => ctx.passwords.hash(newPassword));
    const epoch = await ctx.store.changePassword(user.id, passwordHash);
    if (epoch === undefined) throw new Problem(401, 'session-revoked', 'Session revoked');
    // Every other session is revoked by the epoch bump; this device gets a fresh one.
    return c.json(signSession(ctx, { ...user, passwordHash, sessionEpoch: epoch }));
  });

  return app;
}
