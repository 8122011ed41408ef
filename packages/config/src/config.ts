// One schema for everything both services must agree on. Each app's own
// config.ts reads files and env and hands the result to `parseSharedConfig`.
import { slug } from '@ticketbooth/tickets';
import { z } from 'zod';

const positiveMs = z.number().int().positive();
const httpUrl = z.url({ protocol: /^https?$/ });

export const ratingWindowSchema = z.strictObject({
  /** Half-width of the rating window for a player who just queued. */
  initial: z.number().positive(),
  /** How much the half-width grows per second waited. */
  widenPerSecond: z.number().min(0),
  /** Half-width never grows past this. */
  max: z.number().positive(),
});

export const modeSchema = z
  .strictObject({
    teams: z.number().int().min(2).max(16),
    teamSize: z.number().int().min(1).max(64),
    defaultRating: z.number().finite().default(1500),
    ratingWindow: ratingWindowSchema.default({ initial: 50, widenPerSecond: 10, max: 600 }),
    /**
     * Longest search, from the ticket's signed `queuedAt` (so a restart does not reset it): after
     * it the matchmaker answers `timed_out` and drops the entry. Absent: no limit.
     */
    maxWaitMs: z.number().int().min(1_000).max(86_400_000).optional(),
  })
  .refine((m) => m.ratingWindow.initial <= m.ratingWindow.max, 'ratingWindow.initial must be <= max');
export type ModeRules = z.infer<typeof modeSchema>;

export const sharedConfigSchema = z
  .strictObject({
    /** `iss` of every token the issuer signs. */
    issuer: z.string().min(1).default('ticketbooth-issuer'),
    audiences: z
      .strictObject({
        session: z.string().min(1).default('ticketbooth-issuer'),
        ticket: z.string().min(1).default('ticketbooth-matchmaker'),
        match: z.string().min(1).default('ticketbooth-game-server'),
        revocations: z.string().min(1).default('ticketbooth-matchmaker'),
      })
      .prefault({}),
    modes: z.record(slug, modeSchema).refine((m) => Object.keys(m).length > 0, 'at least one mode'),
    regions: z.array(slug).min(1).max(64),
    sessionTtlMs: positiveMs.default(60 * 60_000),
    ticketTtlMs: positiveMs.default(5 * 60_000),
    resubmitIntervalMs: positiveMs.default(5_000),
    revocationPollMs: positiveMs.default(2_000),
    /** Shard map: which matchmaker serves a pool ("mode/region"), with a default. */
    matchmakers: z
      .strictObject({
        default: httpUrl.default('http://127.0.0.1:8701'),
        pools: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*\/[a-z0-9][a-z0-9_-]*$/), httpUrl).default({}),
      })
      .prefault({}),
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
