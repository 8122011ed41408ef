// One schema for everything both services must agree on. Each app's own
// config.ts reads files and env and hands the result to `parseSharedConfig`.
import { slug } from '@ticketbooth/tickets';
import { z } from 'zod';

const positiveMs = z.number().int().positive();
const httpUrl = z.url({ protocol: /^https?$/ });

export const ratingWindowSchema = z.strictObject({
  initial: z.number().positive().describe('Half-width of the rating window for a player who just queued.'),
  widenPerSecond: z.number().min(0).describe('How much the half-width grows per second waited (from the signed queuedAt).'),
  max: z.number().positive().describe('Half-width never grows past this.'),
});

export const modeSchema = z
  .strictObject({
    teams: z.number().int().min(2).max(16).describe('Teams in a match.'),
    teamSize: z.number().int().min(1).max(64).describe('Players per team; parties are never split across teams.'),
    // Optional rather than defaulted: the default depends on teamSize, so maxPartySizeOf reads it.
    maxPartySize: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe('Most players in one party (leader included), at most teamSize: a party is never split across teams. 1: no parties in this mode. Absent: teamSize.'),
    defaultRating: z.number().finite().default(1500).describe('Rating of a player with none recorded for this mode.'),
    ratingWindow: ratingWindowSchema
      .default({ initial: 50, widenPerSecond: 10, max: 600 })
      .describe('How far apart in rating players may be matched, widening with the wait.'),
    // From the ticket's signed queuedAt, so a restart does not reset it.
    maxWaitMs: z
      .number()
      .int()
      .min(1_000)
      .max(86_400_000)
      .optional()
      .describe('Longest search, from the signed queuedAt: then the matchmaker answers timed_out and drops the entry. Absent: no limit.'),
    accept: z
      .strictObject({
        timeoutMs: z.number().int().min(1_000).max(120_000).describe('How long members have to accept, from the match\'s formation (signed in the match token).'),
      })
      .optional()
      .describe('An accept step: a formed match is proposed, and ready only once every member accepts. Absent: a formed match is ready at once.'),
  })
  .refine((m) => m.ratingWindow.initial <= m.ratingWindow.max, 'ratingWindow.initial must be <= max')
  .refine((m) => m.maxPartySize === undefined || m.maxPartySize <= m.teamSize, {
    path: ['maxPartySize'],
    message: 'must be <= teamSize: a party is never split across teams',
  });
export type ModeRules = z.infer<typeof modeSchema>;

/** Most players in one party of this mode, leader included: `maxPartySize`, else `teamSize`. 1 means no parties. */
export function maxPartySizeOf(mode: Pick<ModeRules, 'teamSize' | 'maxPartySize'>): number {
  return mode.maxPartySize ?? mode.teamSize;
}

export const sharedConfigSchema = z
  .strictObject({
    issuer: z.string().min(1).default('ticketbooth-issuer').describe('`iss` of every token the issuer signs.'),
    audiences: z
      .strictObject({
        session: z.string().min(1).default('ticketbooth-issuer').describe('`aud` of session tokens (the issuer reads them).'),
        ticket: z.string().min(1).default('ticketbooth-matchmaker').describe('`aud` of tickets (matchmakers read them).'),
        match: z.string().min(1).default('ticketbooth-game-server').describe('`aud` of match tokens (game servers read them).'),
        revocations: z.string().min(1).default('ticketbooth-matchmaker').describe('`aud` of the signed revocation feed.'),
      })
      .prefault({})
      .describe('The audience of each kind of token.'),
    modes: z
      .record(slug, modeSchema)
      .refine((m) => Object.keys(m).length > 0, 'at least one mode')
      .describe('Game modes by name (a slug): the rules of their matches.'),
    regions: z.array(slug).min(1).max(64).describe('Region names (slugs); a pool is a mode in a region.'),
    sessionTtlMs: positiveMs.default(60 * 60_000).describe('Lifetime of a login session.'),
    ticketTtlMs: positiveMs.default(5 * 60_000).describe('Lifetime of a matchmaking ticket; clients refresh it before it ends.'),
    resubmitIntervalMs: positiveMs.default(5_000).describe('How often clients resubmit their ticket (and present a match they hold).'),
    revocationPollMs: positiveMs.default(2_000).describe('How often matchmakers poll the revocation feed.'),
    matchmakers: z
      .strictObject({
        default: httpUrl.default('http://127.0.0.1:8701').describe('The matchmaker of every pool not mapped below.'),
        pools: z
          .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*\/[a-z0-9][a-z0-9_-]*$/), httpUrl)
          .default({})
          .describe('Pool ("mode/region") to the URL of the matchmaker serving it.'),
      })
      .prefault({})
      .describe('Shard map: which matchmaker serves a pool.'),
  })
  .refine((c) => c.ticketTtlMs > c.resubmitIntervalMs * 2, 'ticketTtlMs must exceed two resubmit intervals')
  .refine(
    (c) => Object.keys(c.matchmakers.pools).every((p) => Object.hasOwn(c.modes, p.split('/')[0]!) && c.regions.includes(p.split('/')[1]!)),
    'matchmakers.pools names a mode or region that is not configured',
  );
export type SharedConfig = z.infer<typeof sharedConfigSchema>;

/** The demo setup: a 1v1 and a 4v4 mode in two regions. */
export const DEMO_CONFIG = {
  modes: {
    duel: { teams: 2, teamSize: 1 },
    squad: { teams: 2, teamSize: 4 },
  },
  regions: ['eu', 'na'],
} satisfies z.input<typeof sharedConfigSchema>;

/** Thrown for config that cannot start a service; the message names every bad field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** zod-parses once and fails fast with a message a person can act on. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown, source: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`invalid config (${source}):\n${lines.join('\n')}`);
}

export function parseSharedConfig(input: unknown, source = 'config'): SharedConfig {
  return parseWith(sharedConfigSchema, input, source);
}

/** The matchmaker base URL that serves a pool, from the shard map. */
export function matchmakerUrlFor(config: SharedConfig, pool: { mode: string; region: string }): string {
  return config.matchmakers.pools[`${pool.mode}/${pool.region}`] ?? config.matchmakers.default;
}
