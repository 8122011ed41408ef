// The issuer's API document: what serveDocs is told, and the refusals several routes share.
// The paths come from the routes themselves (createRoute in routes/*.ts).
import { BODY_REFUSALS, packageVersion, tokenRefusals, type DocsOptions, type Refusals, mergeRefusals } from '@ticketbooth/http';

export const ISSUER_DOCS: DocsOptions = {
  title: 'Ticketbooth issuer',
  version: packageVersion(new URL('../package.json', import.meta.url)),
  description: 'Accounts, sessions and signed matchmaking tickets. Every refusal is `application/problem+json` with a stable `code`.',
  securitySchemes: {
    session: { type: 'http', scheme: 'bearer', bearerFormat: 'PASETO v4.public (session)', description: 'A session from POST /v1/sessions' },
    admin: { type: 'http', scheme: 'bearer', description: 'The operator token (ADMIN_TOKEN)' },
    gameServer: { type: 'http', scheme: 'bearer', description: 'A game server credential (POST /v1/admin/game-servers)' },
  },
};

export const SESSION = [{ session: [] }];
export const ADMIN = [{ admin: [] }];
export const GAME_SERVER = [{ gameServer: [] }];

/** Every /v1 route: the app limits bodies before routing, whatever the method. */
export const BODY_LIMIT: Refusals = { 413: BODY_REFUSALS[413] };

/** A route with path or query parameters. */
export const PARAMS_REFUSALS: Refusals = { 400: { 'invalid-request': 'A parameter is invalid (`detail` names it).' } };

/** requireSession: the token, then the user's current session epoch and ban flag. */
export const SESSION_REFUSALS: Refusals = mergeRefusals(tokenRefusals('session'), {
  401: { 'session-revoked': 'The session was revoked: logged out everywhere, or the password changed. Log in again.' },
  403: { banned: 'The account is banned (`detail` gives the reason); a new login will not help.' },
});

/** The admin routes' guard. */
export const ADMIN_REFUSALS: Refusals = {
  401: {
    'missing-token': 'No `Authorization: Bearer <ADMIN_TOKEN>` header.',
    'too-large': 'The token is longer than 1 KiB.',
    'invalid-admin-token': 'Not the admin token.',
  },
  404: { 'admin-disabled': 'No ADMIN_TOKEN is configured: the admin routes are off.' },
};

/** Registration, login and password changes share per-username and per-address attempt budgets. */
export const LOGIN_LIMITS: Refusals = {
  429: { 'too-many-attempts': 'Too many attempts for this username or from this address; `Retry-After` says when to try again.' },
};
