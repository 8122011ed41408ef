// POST /v1/accounts (register) and PUT /v1/accounts/me/password.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { BODY_REFUSALS, Problem, json, jsonBody, openApiApp, problems, requireJson } from '@ticketbooth/http';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { normalizePassword } from '../credentials.ts';
import { checkLoginLimits, invalidCredentials, timed } from '../login.ts';
import { LOGIN_LIMITS, SESSION, SESSION_REFUSALS } from '../openapi.ts';
import { accountRequest, accountResponse, passwordChangeRequest, sessionResponse } from '../schemas.ts';
import { requireSession, signSession } from '../session-auth.ts';
import { UsernameTakenError } from '../store/user-store.ts';

const usernameTaken = () => new Problem(409, 'username-taken', 'Username taken', 'choose another username');

export function accountRoutes(ctx: IssuerContext): OpenAPIHono<IssuerEnv> {
  const app = openApiApp<IssuerEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/accounts',
      tags: ['Accounts'],
      summary: 'Register',
      request: { body: jsonBody(accountRequest) },
      middleware: [requireJson] as const,
      responses: {
        201: json(accountResponse, 'Created'),
        ...problems(BODY_REFUSALS, LOGIN_LIMITS, { 409: { 'username-taken': 'The username (after normalisation) is registered already.' } }),
      },
    }),
    async (c) => {
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
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/accounts/me/password',
      tags: ['Accounts'],
      summary: 'Change password; revokes every other session and returns a fresh one',
      security: SESSION,
      request: { body: jsonBody(passwordChangeRequest) },
      middleware: [requireSession(ctx), requireJson] as const,
      responses: {
        200: json(sessionResponse, 'A new session for this device'),
        ...problems(SESSION_REFUSALS, BODY_REFUSALS, LOGIN_LIMITS, { 401: { 'invalid-credentials': 'The current password is wrong.' } }),
      },
    }),
    async (c) => {
      const { user } = c.get('session');
      const { currentPassword, newPassword } = c.req.valid('json');
      await checkLoginLimits(ctx, user.username, ctx.clientAddress(c));
      const ok = await timed(ctx, 'verify', () => ctx.passwords.verify(user.passwordHash, normalizePassword(currentPassword)));
      if (!ok) throw invalidCredentials();
      const passwordHash = await timed(ctx, 'hash', () => ctx.passwords.hash(newPassword));
      const epoch = await ctx.store.changePassword(user.id, passwordHash);
      if (epoch === undefined) throw new Problem(401, 'session-revoked', 'Session revoked');
      // Every other session is revoked by the epoch bump; this device gets a fresh one.
      return c.json(signSession(ctx, { ...user, passwordHash, sessionEpoch: epoch }), 200);
    },
  );

  return app;
}
