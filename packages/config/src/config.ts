// One schema for everything both services must agree on. Each app's own
// config.ts reads files and env and hands the result to `parseSharedConfig`.
import { attributeValue, slug } from '@ticketbooth/tickets';
import { z } from 'zod';

const positiveMs = z.number().int().positive();
const httpUrl = z.url({ protocol: /^https?$/ });

export const ratingWindowSchema = z.strictObject({
  initial: z.number().positive().describe('Half-width of the rating window for a player who just queued.'),
  widenPerSecond: z.number().min(0).describe('How much the half-width grows per second waited (from the signed queuedAt).'),
  max: z.number().positive().describe('Half-width never grows past this.'),
  perUncertainty: z
    .number()
    .min(0)
    .default(0.5)
    .describe("Extra half-width per point of the ticket's rating uncertainty (its sigma, from results): a new player's window starts wider and narrows as results come in."),
});

const teamSizeRange = z
  .strictObject({
    min: z.number().int().min(1).max(64).describe('Fewest players per team, allowed once the longest-waiting player of the match has waited shrinkAfterMs.'),
    max: z.number().int().min(1).max(64).describe('Players per team while the pool can fill teams.'),
    shrinkAfterMs: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(30_000)
      .describe('Wait (from the signed queuedAt) after which a match may form with teams smaller than max, all of one size.'),
  })
  .refine((t) => t.min <= t.max, { path: ['min'], message: 'must be <= max' });

export const latencyRuleSchema = z
  .strictObject({
    maxMs: z.number().int().min(1).max(10_000).describe('Highest round-trip latency to the match\'s region a player accepts when they just queued.'),
    widenToMs: z.number().int().min(1).max(10_000).describe('The bound after widening: it grows linearly from maxMs to this.'),
    widenAfterMs: z.number().int().min(0).max(3_600_000).describe('Wait (from the signed queuedAt) at which the bound reaches widenToMs.'),
  })
  .refine((l) => l.widenToMs >= l.maxMs, { path: ['widenToMs'], message: 'must be >= maxMs: the bound only widens' });

export const modeSchema = z
  .strictObject({
    teams: z.number().int().min(2).max(16).describe('Teams in a match.'),
    teamSize: z
      .union([z.number().int().min(1).max(64), teamSizeRange])
      .describe('Players per team (parties are never split across teams): a number, or {min, max, shrinkAfterMs} for a mode that may start smaller matches after a wait.'),
    // Optional rather than defaulted: the default depends on teamSize, so maxPartySizeOf reads it.
    maxPartySize: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe('Most players in one party (leader included), at most the largest team size: a party is never split across teams. 1: no parties in this mode. Absent: the largest team size.'),
    defaultRating: z.number().finite().default(1500).describe('Rating of a player with none recorded for this mode.'),
    ratingWindow: ratingWindowSchema
      .default({ initial: 50, widenPerSecond: 10, max: 600, perUncertainty: 0.5 })
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
    latency: latencyRuleSchema
      .optional()
      .describe(
        'A latency rule: regions stop being separate pools of this mode. Tickets must carry latencies; a player may play in a region while its latency is within the bound, and a match goes to the region with the lowest worst-member latency. Sharded by mode ("squad"), not by mode/region. Absent: one pool per region.',
      ),
    attributes: z
      .strictObject({
        equal: z.array(slug).max(8).default([]).describe('Attributes every player of a match must share (single-valued ones, e.g. build).'),
        intersect: z.array(slug).max(8).default([]).describe('Set attributes whose values must have at least one in common across a match (e.g. a crossplay set).'),
      })
      .optional()
      .describe('Attribute rules: names from the top-level attributes. A ticket without an attribute a rule names is matched only with others without it.'),
  })
  .refine((m) => m.maxPartySize === undefined || m.maxPartySize <= teamSizeOf(m).max, {
    path: ['maxPartySize'],
    message: 'must be <= teamSize: a party is never split across teams',
  });
export type ModeRules = z.infer<typeof modeSchema>;

export interface TeamSizeRange {
  readonly min: number;
  readonly max: number;
  /** Wait after which teams smaller than `max` are allowed; 0 when `min === max`. */
  readonly shrinkAfterMs: number;
}

/** A mode's team size as a range: a plain `teamSize: 4` is `{ min: 4, max: 4 }`. */
export function teamSizeOf(mode: { readonly teamSize: number | TeamSizeRange }): TeamSizeRange {
  const size = mode.teamSize;
  return typeof size === 'number' ? { min: size, max: size, shrinkAfterMs: 0 } : size;
}

/** Most players in one party of this mode, leader included: `maxPartySize`, else the largest team size. 1 means no parties. */
export function maxPartySizeOf(mode: Pick<ModeRules, 'teamSize' | 'maxPartySize'>): number {
  return mode.maxPartySize ?? teamSizeOf(mode).max;
}

export const attributeSchema = z.strictObject({
  values: z.array(attributeValue).min(1).max(31).describe('The values a ticket may carry (the allow-list); others are refused.'),
  set: z.boolean().default(false).describe('A set of values (e.g. the platforms a player plays with) rather than one value.'),
});

/** Regions a latency mode can place matches in: a match's eligible regions are a 32-bit mask. */
const MAX_LATENCY_REGIONS = 32;

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
    regions: z.array(slug).min(1).max(64).describe('Region names (slugs); a pool is a mode in a region (a mode with a latency rule is one pool).'),
    attributes: z
      .record(slug, attributeSchema)
      .refine((a) => Object.keys(a).length <= 8, 'at most 8 attributes')
      .default({})
      .describe('Player attributes the issuer vouches for in tickets (by name), each with its allow-list. Modes name them in their attribute rules.'),
    sessionTtlMs: positiveMs.default(60 * 60_000).describe('Lifetime of a login session.'),
    ticketTtlMs: positiveMs.default(5 * 60_000).describe('Lifetime of a matchmaking ticket; clients refresh it before it ends.'),
    resubmitIntervalMs: positiveMs.default(5_000).describe('How often clients resubmit their ticket (and present a match they hold).'),
    revocationPollMs: positiveMs.default(2_000).describe('How often matchmakers poll the revocation feed.'),
    resultWindowMs: positiveMs
      .min(60_000)
      .max(7 * 86_400_000)
      .default(6 * 3_600_000)
      .describe("How long after a match forms its game server may report the result (POST /v1/results); a matchmaker's retired key stays published that long."),
    corsOrigins: z
      .array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]))
      .max(64)
      .default(['*'])
      .describe(
        'Web origins whose pages may call both services (CORS), e.g. "https://game.example.com"; "*" for any (the default: every call carries its own bearer token, no cookie). An empty list sends no CORS headers.',
      ),
    matchmakers: z
      .strictObject({
        default: httpUrl.default('http://127.0.0.1:8701').describe('The matchmaker of every pool not mapped below.'),
        pools: z
          .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)?$/), httpUrl)
          .default({})
          .describe('Pool ("mode/region", or "mode" for a mode with a latency rule) to the URL of the matchmaker serving it.'),
      })
      .prefault({})
      .describe('Shard map: which matchmaker serves a pool.'),
  })
  .refine((c) => c.ticketTtlMs > c.resubmitIntervalMs * 2, 'ticketTtlMs must exceed two resubmit intervals')
  .superRefine((c, ctx) => {
    const poolKeys = new Set(poolKeysOf(c));
    for (const key of Object.keys(c.matchmakers.pools)) {
      if (poolKeys.has(key)) continue;
      const mode = c.modes[key.split('/')[0]!];
      const message =
        mode !== undefined && Object.hasOwn(c.modes, key.split('/')[0]!) && mode.latency !== undefined
          ? `${key.split('/')[0]} has a latency rule: it is one pool across regions, mapped as "${key.split('/')[0]}"`
          : mode !== undefined && Object.hasOwn(c.modes, key.split('/')[0]!) && !key.includes('/')
            ? `${key} has no latency rule: map its pools as "${key}/<region>"`
            : 'names a mode or region that is not configured';
      ctx.addIssue({ code: 'custom', path: ['matchmakers', 'pools', key], message });
    }
    for (const [name, mode] of Object.entries(c.modes)) {
      if (mode.latency !== undefined && c.regions.length > MAX_LATENCY_REGIONS) {
        ctx.addIssue({ code: 'custom', path: ['modes', name, 'latency'], message: `a latency rule places matches in at most ${MAX_LATENCY_REGIONS} regions (${c.regions.length} configured)` });
      }
      for (const rule of ['equal', 'intersect'] as const) {
        (mode.attributes?.[rule] ?? []).forEach((attribute, i) => {
          const declared = Object.hasOwn(c.attributes, attribute) ? c.attributes[attribute] : undefined;
          const message =
            declared === undefined
              ? `unknown attribute ${JSON.stringify(attribute)} (declared: ${Object.keys(c.attributes).join(', ') || 'none'})`
              : rule === 'equal' && declared.set
                ? `${attribute} is a set attribute: list it under intersect`
                : rule === 'intersect' && !declared.set
                  ? `${attribute} is a single value: list it under equal (or declare it with set: true)`
                  : undefined;
          if (message !== undefined) ctx.addIssue({ code: 'custom', path: ['modes', name, 'attributes', rule, i], message });
        });
      }
    }
  });
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

/**
 * The key of the pool a ticket for `pool` queues in: "mode/region", or "mode" when the mode has
 * a latency rule (its regions are a rule, not separate pools).
 */
export function poolKeyOf(config: Pick<SharedConfig, 'modes'>, pool: { mode: string; region: string }): string {
  const mode = Object.hasOwn(config.modes, pool.mode) ? config.modes[pool.mode] : undefined;
  return mode?.latency !== undefined ? pool.mode : `${pool.mode}/${pool.region}`;
}

/** Every pool key the config defines, in mode then region order. */
export function poolKeysOf(config: Pick<SharedConfig, 'modes' | 'regions'>): string[] {
  return Object.entries(config.modes).flatMap(([mode, rules]) => (rules.latency !== undefined ? [mode] : config.regions.map((region) => `${mode}/${region}`)));
}

/** The matchmaker base URL that serves a pool, from the shard map. */
export function matchmakerUrlFor(config: SharedConfig, pool: { mode: string; region: string }): string {
  return config.matchmakers.pools[poolKeyOf(config, pool)] ?? config.matchmakers.default;
}
