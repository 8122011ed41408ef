// OpenAPI 3.1 for the matchmaker, built from the same zod schemas the code uses.
import { publicKeySetSchema } from '@ticketbooth/tickets';
import { z } from 'zod';
import { explanationSchema, matchAnswerSchema, matchViewSchema, poolsSchema, problemSchema, reannouncedSchema, reannouncementSchema, searchingSchema, submissionSchema } from './schemas.ts';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'output' }) } } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const ticketAuth = [{ ticket: [] }];
const ticketErrors = {
  401: problem('Missing or invalid ticket; `code` names the reason (expired, bad-signature, wrong-purpose, ...)'),
  403: problem('Ticket revoked'),
};

/** POST /v1/matches/accept and /decline: a member's answer to a proposed match, with their own ticket. */
function respondPaths() {
  const respond = (verb: 'accept' | 'decline', summary: string) => ({
    post: {
      summary,
      security: ticketAuth,
      requestBody: { required: true, ...json(matchAnswerSchema) },
      responses: {
        200: { description: "The match's phase for this player afterwards", ...json(matchViewSchema) },
        400: problem('invalid-request or malformed-json: the body is not `{ "match": "<token>" }`'),
        401: problem('Missing or invalid ticket or match token'),
        403: problem('not-in-match: the ticket holder is not a member of this match (nobody can answer for another player: the ticket is theirs); revoked'),
        409: problem(
          verb === 'accept'
            ? 'already-accepted; match-cancelled (declined by another member, or past acceptBy); match-settled: already ready or assigned; no-accept-step: the mode has none'
            : 'already-accepted: a member who accepted cannot decline; match-cancelled; match-settled; no-accept-step',
        ),
        413: problem('body-too-large'),
        415: problem('unsupported-media-type'),
        422: problem('pool-not-served; match-not-ours'),
        429: problem('too-many-invalid-tickets: the budget of POST /v1/queue'),
      },
    },
  });
  return {
    '/v1/matches/accept': respond('accept', 'Accept a proposed match: once every member has, it is ready (and a game server is allocated, if the matchmaker has an allocator)'),
    '/v1/matches/decline': respond(
      'decline',
      'Decline a proposed match: it is cancelled; members who accepted go back to their pool with their wait kept, and this search is over',
    ),
  };
}

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ticketbooth matchmaker',
      version: '0.1.0',
      description: 'Memory-only pools of players queued with signed tickets. Resubmit the ticket every `resubmitAfterMs` until matched.',
    },
    components: {
      securitySchemes: { ticket: { type: 'http', scheme: 'bearer', description: 'A `ticket` token from the issuer.' } },
      schemas: { Problem: z.toJSONSchema(problemSchema) },
    },
    paths: {
      '/v1/queue': {
        post: {
          summary: 'Queue or resubmit a ticket; answers searching or the match',
          security: ticketAuth,
          responses: {
            200: {
              description:
                "searching; the match's phase once formed (proposed: accept or decline it; ready; assigned: connect to the game server; cancelled: requeued or over), with a signed match token; " +
                "or timed_out: the search reached its mode's maxWaitMs (from the signed queuedAt) and is over",
              ...json(submissionSchema),
            },
            ...ticketErrors,
            409: problem(
              'left: this search left the queue (DELETE /v1/queue); a new search needs a new ticket. ' +
                "party-changed: a player of this ticket queued since in another group (a newer ticket of theirs won: a member's solo ticket after a party ticket, or the reverse)",
            ),
            422: problem('The ticket pool is not served by this matchmaker'),
            429: problem(
              'too-many-invalid-tickets: this client address sent more refused tickets than its budget (Retry-After). ' +
                'Queued tickets are still answered; after 10 refused or throttled tickets the connection is closed (Connection: close).',
            ),
            503: problem('at-capacity, or busy: too many new tickets to check right now (Retry-After); queued players are always served'),
          },
        },
        delete: {
          summary:
            'Leave the queue, for good: every ticket of this search (same signed queuedAt, or older) is refused with 409 left; a new search needs a new ticket. An expired ticket may leave too (its signature must hold).',
          security: ticketAuth,
          responses: { 204: { description: 'Not queued any more' }, ...ticketErrors, 409: problem('left: this ticket already left') },
        },
      },
      '/v1/matches/current': {
        post: {
          summary:
            'Present the match this player holds, at the resubmit cadence, with `accepted: true` once accepted and the `assignment` token once settled, until the answer says `delivered` (every member has heard it settled), the game has the player, or the match token expires. ' +
            'A matchmaker that does not know the match (it restarted) registers it from the token: its members leave the pools and ' +
            'their next POST /v1/queue answers this match. The ticket names the presenter; its signature must hold, its expiry does not matter here.',
          security: ticketAuth,
          requestBody: { required: true, ...json(reannouncementSchema) },
          responses: {
            200: { description: 'The match, as POST /v1/queue answers it, and whether every member has been answered with it settled (then stop presenting it)', ...json(reannouncedSchema) },
            400: problem('invalid-request or malformed-json: the body is not `{ "match": "<token>", "accepted"?: true, "assignment"?: "<token>" }`'),
            401: problem('Missing or invalid ticket or match token (expired, bad-signature, unknown-key, wrong-purpose, ...)'),
            403: problem('not-in-match: the ticket holder is not a member of this match; revoked: the presenter is banned'),
            429: problem('too-many-invalid-tickets: this address sent more refused tokens than its budget (Retry-After); the budget of POST /v1/queue'),
            413: problem('body-too-large'),
            415: problem('unsupported-media-type: the body was not sent as application/json'),
            422: problem(
              'pool-not-served: the match is for a pool this matchmaker does not serve; match-not-ours: signed with a key this matchmaker does not hold (stop presenting it); assignment-mismatch: the assignment is for another match',
            ),
          },
        },
      },
      ...respondPaths(),
      '/v1/queue/events': {
        get: {
          summary:
            'Server-Sent Events: an event per phase of the match (`proposed`, `ready`, `assigned`, `cancelled`; data as in POST /v1/queue) until it is settled, `ping` meanwhile. Ends at the latest when the ticket expires.',
          security: ticketAuth,
          responses: {
            200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.toJSONSchema(matchViewSchema) } } },
            ...ticketErrors,
            404: problem('not-queued: this ticket is neither queued nor matched here (queue it first)'),
          },
        },
      },
      '/v1/queue/explain': {
        get: {
          summary:
            "Why am I not matched: this search's rating window now, the latency bound and when each region opens, the match size and when smaller teams are allowed, how many queued here are compatible now and how many differ in attributes for good, the nearest one who is not compatible yet and when widening reaches it, and the pool's recent time-to-match. At most once per player per second.",
          security: ticketAuth,
          responses: {
            200: { description: 'The explanation', ...json(explanationSchema) },
            ...ticketErrors,
            404: problem('not-queued: this ticket is not searching here (queue it first; a matched search is answered by POST /v1/queue)'),
            429: problem('explain-too-often: one explanation per player per second (Retry-After)'),
          },
        },
      },
      '/v1/pools': { get: { summary: 'Per pool: players queued, oldest wait, matches formed', responses: { 200: { description: 'Pools', ...json(poolsSchema) } } } },
      '/v1/keys': {
        get: { summary: 'Public keys (PASERK) that verify this matchmaker match tokens', responses: { 200: { description: 'Key set', ...json(publicKeySetSchema) } } },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Alive' } } } },
      '/readyz': { get: { summary: 'Readiness: ticket keys loaded', responses: { 200: { description: 'Ready' }, 503: problem('No ticket keys yet') } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text/plain exposition' } } } },
    },
    'x-searching': z.toJSONSchema(searchingSchema),
  };
}
