// Request and response shapes: the same zod schemas validate requests and generate /openapi.json.
import { attributesSchema, memberSchema, pasetoDate, publicKeySetSchema, slug } from '@ticketbooth/tickets';
import { z } from 'zod';
import { loginPassword, loginUsername, newPassword, newUsername } from './credentials.ts';

export const accountRequest = z.strictObject({ username: newUsername, password: newPassword }).meta({ id: 'AccountRequest' });
export const accountResponse = z.strictObject({ id: z.string(), username: z.string() }).meta({ id: 'Account' });

export const sessionRequest = z.strictObject({ username: loginUsername, password: loginPassword }).meta({ id: 'SessionRequest' });
export const sessionResponse = z
  .strictObject({ token: z.string().meta({ description: 'PASETO v4.public, purpose session' }), expiresAt: pasetoDate })
  .meta({ id: 'Session' });

export const passwordChangeRequest = z
  .strictObject({ currentPassword: loginPassword, newPassword })
  .meta({ id: 'PasswordChangeRequest' });

const partyId = z.string().min(1).max(128);

export const ticketRequest = z
  .strictObject({
    mode: slug,
    region: slug,
    party: partyId.optional().meta({ description: 'Queue as this party (the caller must be in it): every member gets the same ticket' }),
    previousTicket: z.string().min(1).max(8192).optional().meta({ description: 'The last ticket, to keep the original queuedAt' }),
    latencies: z
      .record(slug, z.number().int().min(0).max(60_000))
      .refine((l) => Object.keys(l).length <= 64, 'at most 64 regions')
      .optional()
      .meta({ description: 'Measured round-trip milliseconds per region (required by a mode with a latency rule)' }),
    attributes: attributesSchema
      .optional()
      .meta({ description: 'Attributes the issuer vouches for in the ticket (see GET /v1/modes): a value from the allow-list each, or a list of them for a set attribute' }),
  })
  .meta({ id: 'TicketRequest' });
export const ticketResponse = z
  .strictObject({
    ticket: z.string().meta({ description: 'PASETO v4.public, purpose ticket' }),
    matchmakerUrl: z.url(),
    resubmitAfterMs: z.number().int().positive(),
    expiresAt: pasetoDate,
    party: z
      .strictObject({ id: z.string(), version: z.number().int() })
      .optional()
      .meta({ description: 'Present on a party ticket: the party and the membership version it was signed for' }),
  })
  .meta({ id: 'Ticket' });

export const partyRequest = z.strictObject({ mode: slug }).meta({ id: 'PartyRequest' });
export const joinPartyRequest = z
  .strictObject({ invite: z.string().min(1).max(8192).meta({ description: 'An invite token from the party leader' }) })
  .meta({ id: 'JoinPartyRequest' });
export const partyParams = z.object({ id: partyId });
export const partyMemberParams = z.object({ id: partyId, userId: z.string().min(1).max(128) });
export const inviteResponse = z
  .strictObject({ token: z.string().meta({ description: 'PASETO v4.public, purpose invite' }), expiresAt: pasetoDate })
  .meta({ id: 'Invite' });
export const partyResponse = z
  .strictObject({
    id: z.string(),
    mode: slug,
    leader: z.string().meta({ description: 'The leader\'s user id' }),
    version: z.number().int().meta({ description: 'Moves on with every join and leave' }),
    maxSize: z.number().int().meta({ description: 'Most players in a party of this mode, leader included' }),
    members: z.array(z.strictObject({ id: z.string(), username: z.string() })).meta({ description: 'In joining order, the leader first' }),
  })
  .meta({ id: 'Party' });
export const createdPartyResponse = z.strictObject({ party: partyResponse, invite: inviteResponse }).meta({ id: 'CreatedParty' });
export const partyAnswer = z.strictObject({ party: partyResponse }).meta({ id: 'PartyAnswer' });

export const modesResponse = z
  .strictObject({
    modes: z.array(
      z.strictObject({
        name: slug,
        teams: z.number().int(),
        teamSize: z.number().int().meta({ description: 'Players per team while the pool fills teams' }),
        minTeamSize: z.number().int().meta({ description: 'Fewest players per team after the mode\'s shrink wait (equal to teamSize when fixed)' }),
        maxPartySize: z.number().int(),
        latency: z
          .strictObject({ maxMs: z.number().int(), widenToMs: z.number().int(), widenAfterMs: z.number().int() })
          .nullable()
          .meta({ description: 'The latency rule: tickets of this mode must carry latencies; null: one pool per region' }),
        attributes: z.strictObject({ equal: z.array(slug), intersect: z.array(slug) }).meta({ description: 'Attributes that must be equal, and set attributes that must intersect, across a match' }),
      }),
    ),
    regions: z.array(slug),
    attributes: z.record(slug, z.strictObject({ values: z.array(z.string()), set: z.boolean() })).meta({ description: 'Attributes a ticket request may name, with their allowed values' }),
  })
  .meta({ id: 'Modes' });

export const keysResponse = publicKeySetSchema.meta({ id: 'PublicKeySet' });

export const revocationsQuery = z
  .strictObject({
    since: z
      .union([z.string().regex(/^\d{1,15}$/), pasetoDate])
      .optional()
      .meta({ description: 'Unix milliseconds or RFC 3339; clamped to the still-relevant window' }),
  })
  .meta({ id: 'RevocationsQuery' });
export const revocationsResponse = z
  .strictObject({
    token: z.string().meta({ description: 'PASETO v4.public, purpose revocations: {since, entries: [{sub, notBefore}]}' }),
    expiresAt: pasetoDate,
    complete: z.boolean().meta({ description: 'False when more entries follow: ask again with since = the last notBefore' }),
  })
  .meta({ id: 'Revocations' });

export const banRequest = z.strictObject({ reason: z.string().min(1).max(500) }).meta({ id: 'BanRequest' });
export const ratingRequest = z.strictObject({ rating: memberSchema.shape.rating }).meta({ id: 'RatingRequest' });
export const userIdParam = z.object({ id: z.string().min(1).max(128) });
export const ratingParams = z.object({ id: z.string().min(1).max(128), mode: slug });
export const adminUserResponse = z
  .strictObject({
    id: z.string(),
    username: z.string(),
    banned: z.boolean(),
    banReason: z.string().nullable(),
    sessionEpoch: z.number().int(),
  })
  .meta({ id: 'AdminUser' });
export const ratingResponse = z.strictObject({ id: z.string(), mode: slug, rating: z.number() }).meta({ id: 'Rating' });

/** A game server's name: a host name, or a fleet and index. */
const gameServerName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a name of letters, digits, . _ - (at most 64)');
export const gameServerRequest = z.strictObject({ name: gameServerName }).meta({ id: 'GameServerRequest' });
export const gameServerParam = z.object({ server: z.string().min(1).max(128) });

export const resultRequest = z
  .strictObject({
    /** The match token the matchmaker signed, as the game server verified it. */
    match: z.string().min(1).max(16_384),
    /** The match's assignment token: required when the match had an accept step (its token has acceptBy), which proves it was played rather than cancelled. */
    assignment: z.string().min(1).max(16_384).optional(),
    /** Per team, in the token's team order: 1 first; equal ranks are a tie. */
    ranks: z.array(z.number().int().min(1).max(16)).min(2).max(16),
    /** Optional per-player scores (by `sub`), kept with the result. */
    scores: z
      .record(z.string().min(1).max(128), z.number().finite())
      .refine((s) => Object.keys(s).length <= 1_024, 'at most 1024 scores')
      .optional(),
  })
  .meta({ id: 'ResultRequest' });
export type ResultRequest = z.infer<typeof resultRequest>;

export const resultResponse = z
  .object({
    match: z.string(),
    mode: z.string(),
    ranks: z.array(z.number().int()),
    scores: z.record(z.string(), z.number()).optional(),
    reportedAt: z.string(),
  })
  .meta({ id: 'Result' });

export const gameServerResponse = z
  .object({ id: z.string(), name: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() })
  .meta({ id: 'GameServer' });
export const createdGameServerResponse = gameServerResponse
  .extend({ secret: z.string().describe('The credential: shown in this answer only.') })
  .meta({ id: 'CreatedGameServer' });
export const gameServersResponse = z.object({ gameServers: z.array(gameServerResponse) }).meta({ id: 'GameServers' });
