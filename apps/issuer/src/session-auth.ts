// Sessions: signing them at login, and the middleware that admits a request by one.
import type { Context, MiddlewareHandler } from 'hono';
import { Problem, bearerToken } from '@ticketbooth/http';
import { signToken, toPasetoDate } from '@ticketbooth/tickets';
import type { IssuerContext, IssuerEnv } from './context.ts';
import type { User } from './store/user-store.ts';

export interface SessionToken {
  readonly token: string;
  readonly expiresAt: string;
}

/** A session for `user` at their current epoch. */
export function signSession(ctx: IssuerContext, user: User): SessionToken {
  const now = ctx.now();
  const expiresAt = toPasetoDate(now + ctx.shared.sessionTtlMs);
  const token = signToken(ctx.keys.signingKey(), 'session', {
    iss: ctx.shared.issuer,
    sub: user.id,
    aud: ctx.shared.audiences.session,
    iat: toPasetoDate(now),
    exp: expiresAt,
    jti: ctx.randomId(),
    epoch: user.sessionEpoch,
  });
  return { token, expiresAt };
}

/** Refuses a banned user: 403, so a client knows retrying with a new login will not help. */
export function refuseIfBanned(user: User): void {
  if (user.banned) throw new Problem(403, 'banned', 'Account banned', user.banReason ?? undefined);
}

export interface SessionOptions {
  /**
   * The mode whose rating the route will need, if it can tell before validation: the rating is
   * then read with the user, in the one store read (as `session.rating`).
   */
  readonly ratingMode?: (c: Context<IssuerEnv>) => Promise<string | undefined>;
}

/**
 * Admits a request carrying a valid session: signature (cached), then the
 * user's current epoch and ban flag from the store, so logout-everywhere and
 * bans take effect on the very next request.
 */
export function requireSession(ctx: IssuerContext, options: SessionOptions = {}): MiddlewareHandler<IssuerEnv> {
  return async function requireSession(c, next) {
    const verified = ctx.sessions.verify(bearerToken(c.req.header('authorization')));
    const mode = await options.ratingMode?.(c);
    const found = mode === undefined ? undefined : await ctx.store.findUserWithRating(verified.claims.sub, mode);
    const user = mode === undefined ? await ctx.store.findUserById(verified.claims.sub) : found?.user;
    if (user === undefined || user.sessionEpoch !== verified.claims.epoch) {
      if (user?.banned) refuseIfBanned(user);
      throw new Problem(401, 'session-revoked', 'Session revoked', 'log in again', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    refuseIfBanned(user);
    const rating = mode === undefined ? undefined : { mode, value: found?.rating, ...(found?.sigma === undefined ? {} : { sigma: found.sigma }) };
    c.set('session', { user, claims: verified.claims, ...(rating === undefined ? {} : { rating }) });
    await next();
  };
}
