// POST /v1/sessions (login) and DELETE /v1/sessions (log out everywhere).
import { Hono } from 'hono';
import { Problem, validate } from '@ticketbooth/http';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { normalizePassword, normalizeUsername } from '../credentials.ts';
import { checkLoginLimits, invalidCredentials, timed } from '../login.ts';
import { sessionRequest } from '../schemas.ts';
import { refuseIfBanned, requireSession, signSession } from '../session-auth.ts';

export function sessionRoutes(ctx: IssuerContext): Hono<IssuerEnv> {
  const app = new Hono<IssuerEnv>();

  app.post('/v1/sessions', validate('json', sessionRequest), async (c) => {
    const { username, password } = c.req.valid('json');
    const name = normalizeUsername(username);
    try {
      await checkLoginLimits(ctx, name ?? username.normalize('NFKC').toLowerCase(), ctx.clientAddress(c));
    } catch (error) {
      ctx.metrics.logins.inc({ outcome: 'rate_limited' });
      throw error;
    }
    const user = name === undefined ? undefined : await ctx.store.findUserByUsername(name);
    const typed = normalizePassword(password);
    // An unknown user costs one argon2id verification too, and gets the same 401.
    const ok = await timed(ctx, 'verify', () =>
      user === undefined ? ctx.passwords.verifyDummy(typed) : ctx.passwords.verify(user.passwordHash, typed),
    );
    if (!ok || user === undefined) {
      ctx.metrics.logins.inc({ outcome: 'invalid_credentials' });
      throw invalidCredentials();
    }
    try {
      refuseIfBanned(user);
    } catch (error) {
      ctx.metrics.logins.inc({ outcome: 'banned' });
      throw error;
    }
    ctx.metrics.logins.inc({ outcome: 'ok' });
    c.header('cache-control', 'no-store');
    return c.json(signSession(ctx, user));
  });

  app.delete('/v1/sessions', requireSession(ctx), async (c) => {
    const { user } = c.get('session');
    if ((await ctx.store.bumpSessionEpoch(user.id)) === undefined) throw new Problem(401, 'session-revoked', 'Session revoked');
    return c.body(null, 204);
  });

  return app;
}
