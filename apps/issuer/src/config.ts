// The issuer's only reader of process.env and config files: parse once, fail fast.
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { documented, envInt, parseWith, sharedConfigFromEnv, withoutEmpty, type Env, type SharedConfig } from '@ticketbooth/config';
import { z } from 'zod';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const rateWindow = z.strictObject({ limit: z.number().int().positive(), windowMs: z.number().int().positive() });

/** What createApp needs beyond the shared config; defaults suit the demo. */
export const appSettingsSchema = z.strictObject({
  /** Bearer token for /v1/admin; admin endpoints answer 404 when unset. */
  adminToken: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  maxBodyBytes: z.number().int().min(1024).max(1 << 20).default(16 * 1024),
  /** Sliding windows; every attempt counts, whether it succeeds or not. */
  loginLimits: z
    .strictObject({
      perUsername: rateWindow.default({ limit: 10, windowMs: 5 * 60_000 }),
      perAddress: rateWindow.default({ limit: 60, windowMs: 60_000 }),
    })
    .prefault({}),
  /** Header carrying the client address when behind a trusted proxy (first entry is used). */
  clientAddressHeader: z.string().toLowerCase().optional(),
});
export type AppSettings = z.infer<typeof appSettingsSchema>;

export type DatabaseChoice = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

export interface IssuerConfig {
  readonly shared: SharedConfig;
  readonly settings: AppSettings;
  readonly port: number;
  readonly host: string;
  readonly home: string;
  readonly database: DatabaseChoice;
  readonly keyFile: string;
  /** How often the key file's mtime is checked for operator changes. */
  readonly keyPollMs: number;
  readonly requestTimeoutMs: number;
}

// Shared settings (config file, intervals, shard map) come from sharedConfigFromEnv.
export const issuerEnvSchema = z.object({
  TICKETBOOTH_HOME: documented(z.string().optional(), {
    description: 'Directory for the state a service keeps: the SQLite file and key files (when not set one by one).',
    defaultText: '.ticketbooth/ in the repository',
    example: '/var/lib/ticketbooth',
  }),
  ISSUER_PORT: documented(envInt(0, 65_535).optional(), { description: 'Port the issuer listens on (0: any free port).', defaultText: 'PORT, else 8700' }),
  PORT: documented(envInt(0, 65_535).optional(), { description: 'Port, when ISSUER_PORT is not set (the usual variable of a platform).', defaultText: '8700' }),
  HOST: documented(z.string().optional(), { description: 'Address to listen on; 0.0.0.0 or :: to serve other hosts.', defaultText: '127.0.0.1', example: '0.0.0.0' }),
  DATABASE_URL: documented(z.string().regex(/^postgres(?:ql)?:\/\//, 'expected a postgres:// URL').optional(), {
    description: 'PostgreSQL connection URL; without it the issuer uses SQLite (TICKETBOOTH_HOME/issuer.db).',
    defaultText: 'unset: SQLite',
    example: 'postgres://ticketbooth@127.0.0.1:5432/ticketbooth',
  }),
  ADMIN_TOKEN: documented(z.string().optional(), {
    description: 'Bearer token for /v1/admin (bans, ratings), at least 16 characters; without it the admin routes answer 404.',
    defaultText: 'unset: no admin API',
  }),
  ISSUER_KEY_FILE: documented(z.string().optional(), {
    description: 'The issuer\'s signing key file (0600). Generated on first start, except with NODE_ENV=production.',
    defaultText: 'TICKETBOOTH_HOME/issuer-keys.json',
  }),
  ISSUER_KEY_POLL_MS: documented(envInt(100).optional(), { description: 'How often the key file is checked for a rotation (SIGHUP checks at once).', defaultText: '2000' }),
  ISSUER_CLIENT_ADDRESS_HEADER: documented(z.string().optional(), {
    description: 'Header a trusted proxy sets to the client address (first entry used), for login rate limits; unset: the TCP peer.',
    defaultText: 'unset: the TCP peer address',
    example: 'x-forwarded-for',
  }),
});

/**
 * Reads env (and the file TICKETBOOTH_CONFIG names) into one checked config.
 * Throws `ConfigError` naming every bad field.
 *
 * @example
 * const config = loadIssuerConfig(process.env);
 */
export function loadIssuerConfig(source: Env = process.env, cwd = process.cwd()): IssuerConfig {
  const env = parseWith(issuerEnvSchema, withoutEmpty(source), 'environment');
  const home = env.TICKETBOOTH_HOME === undefined ? join(REPO_ROOT, '.ticketbooth') : resolve(cwd, env.TICKETBOOTH_HOME);
  const settings = parseWith(
    appSettingsSchema,
    {
      ...(env.ADMIN_TOKEN === undefined ? {} : { adminToken: env.ADMIN_TOKEN }),
      ...(env.ISSUER_CLIENT_ADDRESS_HEADER === undefined ? {} : { clientAddressHeader: env.ISSUER_CLIENT_ADDRESS_HEADER }),
    },
    'environment',
  );
  const keyFile = env.ISSUER_KEY_FILE ?? join(home, 'issuer-keys.json');
  return {
    shared: sharedConfigFromEnv(source, cwd),
    settings,
    port: env.ISSUER_PORT ?? env.PORT ?? 8700,
    host: env.HOST ?? '127.0.0.1',
    home,
    database: env.DATABASE_URL === undefined ? { kind: 'sqlite', path: join(home, 'issuer.db') } : { kind: 'postgres', url: env.DATABASE_URL },
    keyFile: isAbsolute(keyFile) ? keyFile : resolve(cwd, keyFile),
    keyPollMs: env.ISSUER_KEY_POLL_MS ?? 2_000,
    requestTimeoutMs: 10_000,
  };
}

/** The longest any token this issuer signs stays valid: how long a retired key must still verify. */
export function maxTokenLifetimeMs(shared: SharedConfig): number {
  return Math.max(shared.sessionTtlMs, shared.ticketTtlMs);
}
