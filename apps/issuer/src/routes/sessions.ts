// POST /v1/sessions (login) and DELETE /v1/sessions (log out everywhere).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { BODY_REFUSALS, Problem, json, jsonBody, openApiApp, problems, requireJson, mergeRefusals } from '@ticketbooth/http';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { normalizePassword, normalizeUsername } from '../credentials.ts';
import { checkLoginLimits, invalidCredentials, timed } from '../login.ts';
import { BODY_LIMIT, LOGIN_LIMITS, SESSION, SESSION_REFUSALS } from '../openapi.ts';
import { sessionRequest, sessionResponse } from '../schemas.ts';
import { refuseIfBanned, requireSession, signSession } from '../session-auth.ts';

export function sessionRoutes(ctx: IssuerContext): OpenAPIHono<IssuerEnv> {
  const app = openApiApp<IssuerEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/sessions',
      tags: ['Sessions'],
      summary: 'Log in',
      request: { body: jsonBody(sessionRequest) },
      middleware: [requireJson] as const,
      responses: {
        200: json(sessionResponse, 'A session'),
        ...problems(
          mergeRefusals(BODY_REFUSALS, LOGIN_LIMITS, {
            401: { 'invalid-credentials': 'Unknown username or wrong password: the same answer, after the same work, for both.' },
            403: { banned: 'The account is banned (`detail` gives the reason).' },
          }),
        ),
      },
    }),
    async (c) => {
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
      return c.json(signSession(ctx, user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/sessions',
      tags: ['Sessions'],
      summary: 'Log out everywhere: every session of the account is revoked',
      security: SESSION,
      middleware: [requireSession(ctx)] as const,
      responses: { 204: { description: 'Every session revoked' }, ...problems(SESSION_REFUSALS, BODY_LIMIT) },
    }),
    async (c) => {
      const { user } = c.get('session');
      if ((await ctx.store.bumpSessionEpoch(user.id)) === undefined) throw new Problem(401, 'session-revoked', 'Session revoked');
      return c.body(null, 204);
    },
  );

  return app;
}
