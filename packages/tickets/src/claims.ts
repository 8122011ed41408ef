// What each token purpose carries, declared once as zod schemas and checked after the signature.
import { z } from 'zod';

export const PURPOSES = ['session', 'ticket', 'match', 'revocations'] as const;
export type Purpose = (typeof PURPOSES)[number];

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** A PASETO date: an RFC 3339 timestamp string. */
export const pasetoDate = z
  .string()
  .regex(RFC3339, 'expected an RFC 3339 date')
  .refine((s) => Number.isFinite(Date.parse(s)), 'expected a real date');

/** Writes a time in milliseconds as a PASETO date. */
export function toPasetoDate(ms: number): string {
  return new Date(ms).toISOString();
}

const identifier = z.string().min(1).max(128);
/** Lower-case names for modes and regions: safe as object keys and metric labels. */
export const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected a lower-case name');

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
export type Pool = z.infer<typeof poolSchema>;

const rating = z.number().finite().min(-1e6).max(1e6);
export const memberSchema = z.strictObject({ sub: identifier, rating });
export type Member = z.infer<typeof memberSchema>;

export const sessionClaims = registeredClaims.extend({ epoch: z.number().int().min(0) }).strict();

export const ticketClaims = registeredClaims
  .extend({
    pool: poolSchema,
    rating,
    queuedAt: pasetoDate,
    /** The other members of the player's party; `sub` leads it. */
    party: z.array(memberSchema).min(1).max(15).optional(),
    /** Measured round-trip milliseconds per region. */
    latencies: z.record(slug, z.number().int().min(0).max(60_000)).optional(),
  })
  .strict();

export const matchClaims = registeredClaims
  .extend({ pool: poolSchema, teams: z.array(z.array(memberSchema).min(1).max(64)).min(2).max(16) })
  .strict();

export const revocationsClaims = registeredClaims
  .extend({
    since: pasetoDate,
    entries: z.array(z.strictObject({ sub: identifier, notBefore: pasetoDate })).max(100_000),
  })
  .strict();

export const CLAIM_SCHEMAS = {
  session: sessionClaims,
  ticket: ticketClaims,
  match: matchClaims,
  revocations: revocationsClaims,
} as const satisfies Record<Purpose, z.ZodType>;

export type ClaimsOf<P extends Purpose> = z.infer<(typeof CLAIM_SCHEMAS)[P]>;
export type SessionClaims = ClaimsOf<'session'>;
export type TicketClaims = ClaimsOf<'ticket'>;
export type MatchClaims = ClaimsOf<'match'>;
export type RevocationsClaims = ClaimsOf<'revocations'>;

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (PURPOSES as readonly string[]).includes(value);
}
