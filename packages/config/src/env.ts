// The shared part of both services' environment: the config file and the overrides every service honours.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, DEMO_CONFIG, parseSharedConfig, parseWith, type SharedConfig } from './config.ts';

/**
 * A whole number from the environment, one way for both services: decimal digits only (no sign,
 * spaces, `0x10`, `1e3` or `1.0`), within [min, max].
 */
export function envInt(min = 0, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .regex(/^\d{1,15}$/, 'expected a whole number (decimal digits)')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** What an environment variable is for, read by the configuration reference (docs/configuration.md). */
export interface EnvDoc {
  readonly description: string;
  /** The default as a person reads it, when it is not a plain value (computed, or another variable's). */
  readonly defaultText?: string;
  readonly example?: string;
}

/** Attaches an EnvDoc to a variable's schema. */
export function documented<T extends z.ZodType>(schema: T, doc: EnvDoc): T {
  return schema.meta({ ...doc }) as T;
}

/** The variables both services read, the same way. */
export const sharedEnvSchema = z.object({
  TICKETBOOTH_CONFIG: documented(z.string().min(1).optional(), {
    description: 'Path of the shared JSON config file (modes, regions, lifetimes, shard map); both services must read the same one.',
    defaultText: 'the demo config: duel (1v1) and squad (4v4) in eu and na',
    example: 'examples/config.json',
  }),
  RESUBMIT_INTERVAL_MS: documented(envInt(1).optional(), { description: 'Overrides the config file\'s resubmitIntervalMs: how often clients resubmit tickets.', defaultText: 'config file (5000)' }),
  TICKET_TTL_MS: documented(envInt(1).optional(), { description: 'Overrides the config file\'s ticketTtlMs: lifetime of a matchmaking ticket.', defaultText: 'config file (300000)' }),
  SESSION_TTL_MS: documented(envInt(1).optional(), { description: 'Overrides the config file\'s sessionTtlMs: lifetime of a login session.', defaultText: 'config file (3600000)' }),
  REVOCATION_POLL_MS: documented(envInt(1).optional(), { description: 'Overrides the config file\'s revocationPollMs: how often matchmakers poll the revocation feed.', defaultText: 'config file (2000)' }),
  RESULT_WINDOW_MS: documented(envInt(60_000, 7 * 86_400_000).optional(), {
    description: "Overrides the config file's resultWindowMs: how long after a match forms its result may be reported.",
    defaultText: 'config file (21600000)',
  }),
  MATCHMAKER_URL: documented(z.string().min(1).optional(), {
    description: 'Overrides the shard map\'s default matchmaker (matchmakers.default): where the issuer sends players of pools not mapped elsewhere.',
    defaultText: 'config file (http://127.0.0.1:8701)',
    example: 'http://mm-1.internal:8701',
  }),
  CORS_ORIGINS: documented(z.string().optional(), {
    description: "Overrides the config file's corsOrigins: comma-separated web origins whose pages may call both services, `*` for any, `none` for no CORS headers.",
    defaultText: 'config file (*)',
    example: 'https://game.example.com,https://beta.game.example.com',
  }),
  NODE_ENV: documented(z.enum(['production', 'development', 'test']).optional(), {
    description: 'production: ISSUER_DEV_KEYS and MATCHMAKER_DEV_KEYS are refused (a service never makes its own key there).',
    defaultText: 'unset (development behaviour)',
    example: 'production',
  }),
  LOG_LEVEL: documented(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(), {
    description: 'Lowest level of the JSON log lines written to stdout.',
    defaultText: 'info',
  }),
});

export type Env = Readonly<Record<string, string | undefined>>;

/** An empty variable means "not set", as a shell's `FOO= cmd` intends. */
export function withoutEmpty(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

function readJsonObject(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * The shared config both services must agree on: the file `TICKETBOOTH_CONFIG`
 * names (else the demo setup), with `RESUBMIT_INTERVAL_MS`, `TICKET_TTL_MS`,
 * `SESSION_TTL_MS`, `REVOCATION_POLL_MS` and `MATCHMAKER_URL` (the shard map's default) applied on top.
 * Both services call this with the same environment, so they cannot disagree.
 */
export function sharedConfigFromEnv(source: Env, cwd = process.cwd()): SharedConfig {
  const env = parseWith(sharedEnvSchema, withoutEmpty(source), 'environment');
  const path = env.TICKETBOOTH_CONFIG === undefined ? undefined : resolve(cwd, env.TICKETBOOTH_CONFIG);
  const raw = path === undefined ? (structuredClone(DEMO_CONFIG) as Record<string, unknown>) : readJsonObject(path);
  const matchmakers =
    env.MATCHMAKER_URL === undefined ? raw.matchmakers : { ...(raw.matchmakers as object | undefined), default: env.MATCHMAKER_URL };
  return parseSharedConfig(
    {
      ...raw,
      ...(env.RESUBMIT_INTERVAL_MS === undefined ? {} : { resubmitIntervalMs: env.RESUBMIT_INTERVAL_MS }),
      ...(env.TICKET_TTL_MS === undefined ? {} : { ticketTtlMs: env.TICKET_TTL_MS }),
      ...(env.SESSION_TTL_MS === undefined ? {} : { sessionTtlMs: env.SESSION_TTL_MS }),
      ...(env.REVOCATION_POLL_MS === undefined ? {} : { revocationPollMs: env.REVOCATION_POLL_MS }),
      ...(env.RESULT_WINDOW_MS === undefined ? {} : { resultWindowMs: env.RESULT_WINDOW_MS }),
      ...(matchmakers === undefined ? {} : { matchmakers }),
      ...(env.CORS_ORIGINS === undefined ? {} : { corsOrigins: env.CORS_ORIGINS.trim() === 'none' ? [] : env.CORS_ORIGINS.split(',').map((origin) => origin.trim()) }),
    },
    path === undefined ? 'DEMO_CONFIG + environment' : `${path} + environment`,
  );
}
