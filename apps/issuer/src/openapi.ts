// The OpenAPI 3.1 document, generated from the zod schemas that validate requests.
import { z } from 'zod';
import * as s from './schemas.ts';

const COMPONENTS = {
  AccountRequest: s.accountRequest,
  Account: s.accountResponse,
  SessionRequest: s.sessionRequest,
  Session: s.sessionResponse,
  PasswordChangeRequest: s.passwordChangeRequest,
  TicketRequest: s.ticketRequest,
  Ticket: s.ticketResponse,
  PartyRequest: s.partyRequest,
  Party: s.partyResponse,
  Invite: s.inviteResponse,
  CreatedParty: s.createdPartyResponse,
  JoinPartyRequest: s.joinPartyRequest,
  PartyAnswer: s.partyAnswer,
  Modes: s.modesResponse,
  PublicKeySet: s.keysResponse,
  Revocations: s.revocationsResponse,
  BanRequest: s.banRequest,
  RatingRequest: s.ratingRequest,
  AdminUser: s.adminUserResponse,
  Rating: s.ratingResponse,
  ResultRequest: s.resultRequest,
  Result: s.resultResponse,
  GameServerRequest: s.gameServerRequest,
  GameServer: s.gameServerResponse,
  CreatedGameServer: s.createdGameServerResponse,
  GameServers: s.gameServersResponse,
  Problem: s.problemSchema,
} as const;
type ComponentName = keyof typeof COMPONENTS;

function componentSchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  // Requests are documented as clients write them (before transforms), which is also what responses look like.
  const { schemas } = z.toJSONSchema(registry, { io: 'input', target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, asComponent(schema)]));
}

/** The document fixes the dialect, and a component is named by its key, so neither is repeated inside. */
function asComponent(schema: object): object {
  const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ComponentName) => ({ content: { 'application/json': { schema: ref(name) } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const session = [{ session: [] }];
const admin = [{ admin: [] }];
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const userIdParam = { name: 'userId', in: 'path', required: true, schema: { type: 'string' } };

function operation(summary: string, responses: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { summary, ...extra, responses: { ...responses, default: problem('Error (problem+json with a stable code)') } };
}

/** The whole document; served at GET /openapi.json. */
export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Ticketbooth issuer', version: '1.0.0', description: 'Accounts, sessions and signed matchmaking tickets.' },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', bearerFormat: 'PASETO v4.public (session)' },
        admin: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
        gameServer: { type: 'http', scheme: 'bearer', description: 'A game server credential (POST /v1/admin/game-servers)' },
      },
    },
    paths: {
      '/v1/accounts': {
        post: operation('Register', { 201: { description: 'Created', ...json('Account') } }, { requestBody: json('AccountRequest') }),
      },
      '/v1/accounts/me/password': {
        put: operation(
          'Change password; revokes every other session and returns a fresh one',
          { 200: { description: 'New session', ...json('Session') } },
          { security: session, requestBody: json('PasswordChangeRequest') },
        ),
      },
      '/v1/sessions': {
        post: operation('Log in', { 200: { description: 'Session', ...json('Session') } }, { requestBody: json('SessionRequest') }),
        delete: operation('Log out everywhere', { 204: { description: 'Every session revoked' } }, { security: session }),
      },
      '/v1/tickets': {
        post: operation('Issue a matchmaking ticket', { 200: { description: 'Ticket', ...json('Ticket') } }, {
          security: session,
          requestBody: json('TicketRequest'),
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: '<unix-ms>.<random>: the same request with the same key returns a byte-identical ticket',
              schema: { type: 'string', pattern: '^\\d{13}\\.[A-Za-z0-9_-]{16,64}$' },
            },
          ],
        }),
      },
      '/v1/parties': {
        post: operation(
          'Create a party led by the caller; 409 already-in-party, 422 unknown-mode or parties-not-allowed',
          { 201: { description: 'The party and an invite into it', ...json('CreatedParty') } },
          { security: session, requestBody: json('PartyRequest') },
        ),
      },
      '/v1/parties/current': {
        get: operation('The caller’s party; 404 not-in-party', { 200: { description: 'Party', ...json('PartyAnswer') } }, { security: session }),
      },
      '/v1/parties/{id}': {
        get: operation('A party, to its members (404 party-not-found to anyone else)', { 200: { description: 'Party', ...json('PartyAnswer') } }, {
          security: session,
          parameters: [idParam],
        }),
        delete: operation('Disband (leader only: 403 not-party-leader)', { 204: { description: 'Disbanded' } }, {
          security: session,
          parameters: [idParam],
        }),
      },
      '/v1/parties/{id}/invites': {
        post: operation('A fresh invite (leader only: 403 not-party-leader); it lives 10 minutes', { 200: { description: 'Invite', ...json('Invite') } }, {
          security: session,
          parameters: [idParam],
        }),
      },
      '/v1/parties/{id}/members': {
        post: operation(
          'Join with an invite; 400 invalid-invite or invite-expired, 404 party-not-found, 409 party-full or already-in-party',
          { 200: { description: 'The party joined', ...json('PartyAnswer') } },
          { security: session, parameters: [idParam], requestBody: json('JoinPartyRequest') },
        ),
      },
      '/v1/parties/{id}/members/{userId}': {
        delete: operation(
          'Leave (your own id, or me; the leader leaving disbands) or remove a member (leader only); 403 not-party-leader, 404 not-a-member',
          { 204: { description: 'Left or removed' } },
          { security: session, parameters: [idParam, userIdParam] },
        ),
      },
      '/v1/keys': { get: operation('Verification keys (PASERK k4.public)', { 200: { description: 'Key set', ...json('PublicKeySet') } }) },
      '/v1/modes': { get: operation('Modes and regions', { 200: { description: 'Modes', ...json('Modes') } }) },
      '/v1/revocations': {
        get: operation('Signed revocation feed', { 200: { description: 'Feed', ...json('Revocations') } }, {
          parameters: [{ name: 'since', in: 'query', required: false, schema: { type: 'string' } }],
        }),
      },
      '/v1/admin/users/{id}/ban': {
        post: operation('Ban', { 200: { description: 'Banned', ...json('AdminUser') } }, {
          security: admin,
          parameters: [idParam],
          requestBody: json('BanRequest'),
        }),
      },
      '/v1/admin/users/{id}/unban': {
        post: operation('Unban', { 200: { description: 'Unbanned', ...json('AdminUser') } }, { security: admin, parameters: [idParam] }),
      },
      '/v1/admin/users/{id}/ratings/{mode}': {
        put: operation('Set a rating', { 200: { description: 'Rating', ...json('Rating') } }, {
          security: admin,
          parameters: [idParam, { name: 'mode', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: json('RatingRequest'),
        }),
      },
      '/v1/results': {
        post: operation(
          "A match's result, from its game server: the players' ratings move once",
          { 201: { description: 'Recorded', ...json('Result') }, 200: { description: 'The same result again: the first one', ...json('Result') } },
          { security: [{ gameServer: [] }], requestBody: json('ResultRequest') },
        ),
      },
      '/v1/admin/game-servers': {
        post: operation('Register a game server', { 201: { description: 'Registered, with its credential', ...json('CreatedGameServer') } }, {
          security: admin,
          requestBody: json('GameServerRequest'),
        }),
        get: operation('Game servers', { 200: { description: 'Every registered one', ...json('GameServers') } }, { security: admin }),
      },
      '/v1/admin/game-servers/{server}/revoke': {
        post: operation('Revoke a game server (by id or name)', { 200: { description: 'Revoked', ...json('GameServer') } }, {
          security: admin,
          parameters: [{ name: 'server', in: 'path', required: true, schema: { type: 'string' } }],
        }),
      },
      '/healthz': { get: operation('Liveness', { 200: { description: 'Alive' } }) },
      '/readyz': { get: operation('Readiness (database and signing key)', { 200: { description: 'Ready' } }) },
      '/metrics': { get: operation('Prometheus metrics', { 200: { description: 'Text exposition format' } }) },
    },
  };
}
