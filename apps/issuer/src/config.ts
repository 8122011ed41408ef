// The issuer's only reader of process.env and config files: parse once, fail fast.
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, documented, envInt, parseWith, sharedConfigFromEnv, withoutEmpty, type Env, type SharedConfig } from '@ticketbooth/config';
import { z } from 'zod';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const MAX_PROXY_HOPS = 16;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const rateWindow = z.strictObject({ limit: z.number().int().positive(), windowMs: z.number().int().positive() });

/** What createApp needs beyond the shared config; defaults suit the demo. */
export const appSettingsSchema = z.strictObject({
  /** Bearer token for /v1/admin; admin endpoints answer 404 when unset. */
  adminToken: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  maxBodyBytes: z.number().int().min(1024).max(1 << 20).default(16 * 1024),
  /**
   * `limit` attempts per key in a window of `windowMs` that opens at the key's first attempt;
   * every attempt counts, whether it succeeds or not, and a refused one changes nothing.
   */
  loginLimits: z
    .strictObject({
      perUsername: rateWindow.default({ limit: 10, windowMs: 5 * 60_000 }),
      perAddress: rateWindow.default({ limit: 60, windowMs: 60_000 }),
    })
    .prefault({}),
  /**
   * How many reverse proxies in front of the issuer each append the address they saw to
   * `clientAddressHeader`. 0: the socket's peer is the client and no header is read.
   */
  trustedProxyHops: z.number().int().min(0).max(MAX_PROXY_HOPS).default(0),
  /** The header those proxies append to (comma-separated addresses, as X-Forwarded-For). */
  clientAddressHeader: z.string().regex(HEADER_NAME, 'expected a header name').toLowerCase().default('x-forwarded-for'),
  /** Game results (POST /v1/results): from match tokens `matchIssuer` signed (the window is the shared resultWindowMs). */
  results: z.strictObject({ matchIssuer: z.string().min(1).default('ticketbooth-matchmaker') }).prefault({}),
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
  /** ISSUER_DEV_KEYS=1: a missing key file is generated instead of being a start error. */
  readonly devKeys: boolean;
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
    description: 'Bearer token for /v1/admin (bans, ratings, game servers) and the live dashboard\'s figures (GET /dashboard/events), at least 16 characters; without it the admin routes answer 404 and the dashboard is open. The matchmaker reads the same variable for its dashboard.',
    defaultText: 'unset: no admin API, an open dashboard',
  }),
  ISSUER_KEY_FILE: documented(z.string().optional(), {
    description:
      'The issuer\'s signing key file (0600), re-read when it changes; every issuer replica reads the same one. Missing: a start error (create it with the issuer CLI: keys list), unless ISSUER_DEV_KEYS=1.',
    defaultText: 'TICKETBOOTH_HOME/issuer-keys.json',
  }),
  ISSUER_DEV_KEYS: documented(z.enum(['0', '1']).optional(), {
    description:
      '1: generate the key file when it is missing, for development (pnpm start and the tests set it). Refused with NODE_ENV=production: a replica with a key of its own signs what nobody trusts.',
    defaultText: '0',
  }),
  ISSUER_KEY_POLL_MS: documented(envInt(100).optional(), { description: 'How often the key file is checked for a rotation (SIGHUP checks at once).', defaultText: '2000' }),
  ISSUER_TRUSTED_PROXY_HOPS: documented(envInt(0, MAX_PROXY_HOPS).optional(), {
    description:
      'How many reverse proxies in front of the issuer append the address they saw to the forwarding header (HAProxy option forwardfor, nginx $proxy_add_x_forwarded_for). 0: the client address of the login limits is the TCP peer, no header is read. N: the Nth entry from the right of the header; entries left of it are the client\'s to forge. A header with fewer than N entries, or an entry that is not an IP address, gives the TCP peer. The issuer must be reachable only through these proxies.',
    defaultText: '0, or 1 when ISSUER_CLIENT_ADDRESS_HEADER is set',
    example: '1',
  }),
  MATCH_ISSUER: documented(z.string().min(1).optional(), {
    description: "`iss` of the matchmakers' match tokens, as their MATCH_ISSUER: results are accepted for those only.",
    defaultText: 'ticketbooth-matchmaker',
  }),
  ISSUER_CLIENT_ADDRESS_HEADER: documented(z.string().optional(), {
    description: 'The forwarding header the trusted proxies append to (comma-separated addresses); setting it alone means one proxy hop.',
    defaultText: 'x-forwarded-for',
    example: 'x-real-client-chain',
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
      ...clientAddressSettings(env.ISSUER_TRUSTED_PROXY_HOPS, env.ISSUER_CLIENT_ADDRESS_HEADER),
      results: env.MATCH_ISSUER === undefined ? {} : { matchIssuer: env.MATCH_ISSUER },
    },
    'environment',
  );
  const devKeys = env.ISSUER_DEV_KEYS === '1';
  if (devKeys && source.NODE_ENV === 'production') {
    throw new ConfigError('invalid config (environment):\n  - ISSUER_DEV_KEYS: 1 is for development, not with NODE_ENV=production');
  }
  const keyFile = env.ISSUER_KEY_FILE ?? join(home, 'issuer-keys.json');
  return {
    shared: sharedConfigFromEnv(source, cwd),
    settings,
    port: env.ISSUER_PORT ?? env.PORT ?? 8700,
    host: env.HOST ?? '127.0.0.1',
    home,
    database: env.DATABASE_URL === undefined ? { kind: 'sqlite', path: join(home, 'issuer.db') } : { kind: 'postgres', url: env.DATABASE_URL },
    keyFile: isAbsolute(keyFile) ? keyFile : resolve(cwd, keyFile),
    devKeys,
    keyPollMs: env.ISSUER_KEY_POLL_MS ?? 2_000,
    requestTimeoutMs: 10_000,
  };
}

/**
 * Naming the header alone keeps its old meaning, one proxy in front; hops without a header read
 * X-Forwarded-For. A header with an explicit 0 hops contradicts itself, so it is refused.
 */
function clientAddressSettings(hops: number | undefined, header: string | undefined) {
  if (hops === 0 && header !== undefined) {
    throw new ConfigError(
      'invalid config (environment):\n  - ISSUER_CLIENT_ADDRESS_HEADER: is read only with ISSUER_TRUSTED_PROXY_HOPS of 1 or more (it is 0)',
    );
  }
  return {
    trustedProxyHops: hops ?? (header === undefined ? 0 : 1),
    ...(header === undefined ? {} : { clientAddressHeader: header }),
  };
}

/** The longest any token this issuer signs stays valid: how long a retired key must still verify. */
export function maxTokenLifetimeMs(shared: SharedConfig): number {
  return Math.max(shared.sessionTtlMs, shared.ticketTtlMs);
}
