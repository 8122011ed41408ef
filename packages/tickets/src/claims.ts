// What each token purpose carries, declared once as zod schemas and checked after the signature.
import { z } from 'zod';

export const PURPOSES = ['session', 'invite', 'ticket', 'match', 'assignment', 'revocations'] as const;
export type Purpose = (typeof PURPOSES)[number];

// Field ranges are spelled out so that Date.parse never yields NaN for a match
// (V8 rolls 02-30 over to March but refuses month 13 or second 60): no
// separate date check is needed on the verifier's hot path.
const RFC3339 =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** A PASETO date: an RFC 3339 timestamp string. */
export const pasetoDate = z.string().regex(RFC3339, 'expected an RFC 3339 date');

/** Writes a time in milliseconds as a PASETO date. */
export function toPasetoDate(ms: number): string {
  return new Date(ms).toISOString();
}

const identifier = z.string().min(1).max(128);
/** Lower-case names for modes and regions: safe as object keys and metric labels. */
export const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected a lower-case name')
  // Names used as object keys (regions in `latencies`): the strict decoder refuses these two.
  .refine((name) => name !== 'constructor' && name !== 'prototype', 'reserved name');

/** Claims every token carries, whatever its purpose. */
export const registeredClaims = z.object({
  iss: z.string().min(1).max(256),
  sub: identifier,
  aud: z.string().min(1).max(256),
  iat: pasetoDate,
  exp: pasetoDate,
  nbf: pasetoDate.optional(),
  jti: identifier,
});
export type RegisteredClaims = z.infer<typeof registeredClaims>;

export const poolSchema = z.strictObject({ mode: slug, region: slug });

/** A value of a player attribute the issuer vouches for (a build, a platform): short, no spaces. */
export const attributeValue = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'expected a short name (letters, digits, . _ -)');

/**
 * Attributes the issuer validated against its allow-lists: one value each, or a set of values
 * (at most 8 attributes). A mode's rules require some to be equal across a match and some sets
 * to intersect.
 */
export const attributesSchema = z
  .record(slug, z.union([attributeValue, z.array(attributeValue).min(1).max(32)]))
  .refine((a) => Object.keys(a).length <= 8, 'at most 8 attributes');
export type Attributes = z.infer<typeof attributesSchema>;
export type Pool = z.infer<typeof poolSchema>;

const rating = z.number().finite().min(-1e6).max(1e6);
export const memberSchema = z.strictObject({ sub: identifier, rating });
export type Member = z.infer<typeof memberSchema>;

export const sessionClaims = registeredClaims.extend({ epoch: z.number().int().min(0) }).strict();

/**
 * An invitation into a party, signed by the issuer for the party's leader (`sub`) and read
 * back by the issuer only (`aud` is the session audience). Its own purpose keeps it from
 * ever passing as a session or a ticket, and keeps those from passing as an invite.
 */
export const inviteClaims = registeredClaims.extend({ party: identifier }).strict();

export const ticketClaims = registeredClaims
  .extend({
    pool: poolSchema,
    rating,
    /** How unsure `rating` is (its sigma, whole rating points), when the issuer learns ratings from results: widens a new player's window. */
    uncertainty: z.number().int().min(0).max(1e6).optional(),
    queuedAt: pasetoDate,
    /** The other members of the player's party; `sub` leads it. 63: a team holds at most 64 players, and a party never splits. */
    party: z.array(memberSchema).min(1).max(63).optional(),
    /** Measured round-trip milliseconds per region. */
    latencies: z.record(slug, z.number().int().min(0).max(60_000)).optional(),
    /** Attributes the issuer vouches for (build, platform, crossplay set), checked against its allow-lists. */
    attributes: attributesSchema.optional(),
  })
  .strict();

export const matchClaims = registeredClaims
  .extend({
    pool: poolSchema,
    teams: z.array(z.array(memberSchema).min(1).max(64)).min(2).max(16),
    /** Present when the mode has an accept step: every member accepts by then or the match is cancelled. */
    acceptBy: pasetoDate.optional(),
  })
  .strict();

/** `host:port` of a game server: a DNS name, IPv4 or bracketed IPv6 address, and a port. */
export const connectAddress = z
  .string()
  .max(262)
  .regex(/^(?:\[[0-9a-fA-F:.]{2,45}\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?):(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/, 'expected host:port');

/** Extra connection details an allocator returns (a server id, a join secret): flat and small. */
export const assignmentDetails = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/), z.union([z.string().max(512), z.number().finite(), z.boolean()]))
  .refine((d) => Object.keys(d).length <= 16, 'at most 16 details');

/**
 * A settled match: signed by the matchmaker once every member accepted (and, with an allocator,
 * once a game server was allocated: `connect`). `sub` and `match` are the match id.
 */
export const assignmentClaims = registeredClaims
  .extend({ match: identifier, pool: poolSchema, connect: connectAddress.optional(), details: assignmentDetails.optional() })
  .strict();

export const revocationsClaims = registeredClaims
  .extend({
    since: pasetoDate,
    entries: z.array(z.strictObject({ sub: identifier, notBefore: pasetoDate })).max(100_000),
  })
  .strict();

export const CLAIM_SCHEMAS = {
  session: sessionClaims,
  invite: inviteClaims,
  ticket: ticketClaims,
  match: matchClaims,
  assignment: assignmentClaims,
  revocations: revocationsClaims,
} as const satisfies Record<Purpose, z.ZodType>;

export type ClaimsOf<P extends Purpose> = z.infer<(typeof CLAIM_SCHEMAS)[P]>;
export type SessionClaims = ClaimsOf<'session'>;
export type InviteClaims = ClaimsOf<'invite'>;
export type TicketClaims = ClaimsOf<'ticket'>;
export type MatchClaims = ClaimsOf<'match'>;
export type AssignmentClaims = ClaimsOf<'assignment'>;
export type RevocationsClaims = ClaimsOf<'revocations'>;

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (PURPOSES as readonly string[]).includes(value);
}
