// The only reader of process.env and config files: parsed once, failing fast with a readable message.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, documented as d, envInt as int, parseWith, poolKeysOf, sharedConfigFromEnv, withoutEmpty, type SharedConfig } from '@ticketbooth/config';
import { z } from 'zod';
import { DEFAULT_REFUSALS, type RefusalBudgetOptions } from './refusal-budget.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface MatchmakerConfig {
  readonly shared: SharedConfig;
  readonly host: string;
  readonly port: number;
  /** The URL the shard map names this instance by. */
  readonly publicUrl: string;
  /** Pools ("mode/region") this instance serves. */
  readonly pools: readonly string[];
  /** Where the issuer publishes `GET /v1/keys`, unless a key file is given. */
  readonly issuerUrl: string;
  readonly issuerPublicKeyFile: string | undefined;
  /**
   * Where the signed revocation feed is polled (`<url>/v1/revocations`, every
   * `shared.revocationPollMs`); undefined when REVOCATIONS=off, the default
   * only for a matchmaker given ISSUER_PUBLIC_KEY_FILE and no ISSUER_URL.
   */
  readonly revocationFeedUrl: string | undefined;
  /** Longest wait between feed retries while the issuer is unreachable. */
  readonly revocationMaxBackoffMs: number;
  /** This matchmaker's own match-signing keys; generated on first start, re-read when rotated. */
  readonly keyFile: string;
  /** MATCHMAKER_DEV_KEYS=1: a missing key file is generated instead of being a start error. */
  readonly devKeys: boolean;
  /** How often the key file is checked for a rotation (SIGHUP checks at once). */
  readonly keyPollMs: number;
  /** No matches before this long after start, so a restart matches on the rebuilt pool. */
  readonly warmupMs: number;
  readonly staleAfterMs: number;
  readonly tickMs: number;
  /** How long a formed match is returned to resubmissions; by default a ticket lifetime plus leeway. */
  readonly resultTtlMs: number;
  readonly matchTokenTtlMs: number;
  readonly maxPlayers: number;
  readonly keysRefreshMs: number;
  /** Verifier cache in front of Ed25519 for tickets not (or no longer) queued. */
  readonly verifierCacheSize: number;
  readonly matchIssuer: string;
  /** Refused tickets allowed per client address (burst, then per second) and per connection. */
  readonly refusals: RefusalBudgetOptions;
  /** Proxies in front that append to X-Forwarded-For: 0 reads the socket peer. */
  readonly trustedProxyHops: number;
  /**
   * Whether `POST /v1/queue` is answered on the raw socket (see @ticketbooth/http's fast-lane.ts):
   * about 1.8x cheaper per resubmission, but Hono middleware and node:http instrumentation
   * never see those requests.
   */
  readonly fastLane: boolean;
  /** ADMIN_TOKEN: when set, the dashboard's figures need it. */
  readonly adminToken?: string;
  /** The game-server allocation hook (allocator.ts), when ALLOCATOR_URL is set. */
  readonly allocator: { readonly url: string; readonly timeoutMs: number; readonly attempts: number; readonly maxBackoffMs: number } | undefined;
}

// TICKETBOOTH_CONFIG, RESUBMIT_INTERVAL_MS, TICKET_TTL_MS and MATCHMAKER_URL (the shard map's
// default) are read by the shared `sharedConfigFromEnv`, exactly as the issuer reads them.
export const matchmakerEnvSchema = z.object({
  TICKETBOOTH_HOME: d(z.string().min(1).optional(), { description: 'Directory for the matchmaker\'s key file (when MATCHMAKER_KEY_FILE is not set).', defaultText: '.ticketbooth/ in the repository' }),
  MATCHMAKER_PORT: d(int(0, 65_535).optional(), { description: 'Port the matchmaker listens on (0: any free port).', defaultText: 'PORT, else 8701' }),
  PORT: d(int(0, 65_535).optional(), { description: 'Port, when MATCHMAKER_PORT is not set.', defaultText: '8701' }),
  HOST: d(z.string().min(1).default('127.0.0.1'), { description: 'Address to listen on; 0.0.0.0 or :: to serve other hosts.', example: '0.0.0.0' }),
  MATCHMAKER_PUBLIC_URL: d(z.url().optional(), {
    description: 'The URL the shard map names this instance by: it serves the pools mapped to it (all unmapped ones if it is the default).',
    defaultText: 'http://HOST:port',
    example: 'http://mm-1.internal:8701',
  }),
  MATCHMAKER_POOLS: d(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)?(,[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)?)*$/, 'expected "mode/region,..." ("mode" for a mode with a latency rule)')
      .optional(),
    { description: 'Pools to serve, instead of those the shard map gives this instance.', defaultText: 'from the shard map', example: 'duel/eu,squad/eu' },
  ),
  ISSUER_URL: d(z.url().optional(), { description: 'The issuer: ticket keys from GET /v1/keys, bans from GET /v1/revocations.', defaultText: 'http://127.0.0.1:8700' }),
  ISSUER_PUBLIC_KEY_FILE: d(z.string().min(1).optional(), {
    description: 'Read the issuer\'s public keys from this file instead of ISSUER_URL (without ISSUER_URL the revocation feed is then off).',
    defaultText: 'unset: keys from ISSUER_URL',
  }),
  REVOCATIONS: d(z.enum(['on', 'off']).optional(), {
    description: 'Poll the issuer\'s signed revocation feed, so a ban removes a queued player within seconds. off: bans apply only as tickets expire.',
    defaultText: 'on (off with ISSUER_PUBLIC_KEY_FILE and no ISSUER_URL)',
  }),
  REVOCATION_MAX_BACKOFF_MS: d(int(100).default(10_000), { description: 'Longest wait between revocation feed retries while the issuer is unreachable.' }),
  MATCHMAKER_KEY_FILE: d(z.string().min(1).optional(), {
    description:
      'The match-signing key file (0600), re-read when it changes; every matchmaker reads the same one (a backup verifies the matches its primary signed). Missing: a start error (create it with the matchmaker CLI: keys list), unless MATCHMAKER_DEV_KEYS=1.',
    defaultText: 'TICKETBOOTH_HOME/matchmaker-keys.json',
  }),
  MATCHMAKER_DEV_KEYS: d(z.enum(['0', '1']).default('0'), {
    description: '1: generate the key file when it is missing, for development (pnpm start and the tests set it). Refused with NODE_ENV=production.',
  }),
  MATCHMAKER_KEY_POLL_MS: d(int(100).default(2_000), { description: 'How often the key file is checked for a rotation (SIGHUP checks at once).' }),
  WARMUP_MS: d(int(0).optional(), {
    description: 'Shortest warm-up after a start: no match forms before it, so resubmissions and re-announced matches rebuild the state first. It lasts longer while players keep coming back (up to 5x).',
    defaultText: '1.2 x resubmit interval + 1000',
  }),
  STALE_AFTER_MS: d(int(1).optional(), { description: 'A queued player not resubmitting for this long is dropped.', defaultText: '3 x resubmit interval' }),
  MATCHMAKER_TICK_MS: d(int(10).default(1_000), { description: 'How often matches are formed in every served pool.' }),
  MATCH_RESULT_TTL_MS: d(int(1).optional(), { description: 'How long a formed match is answered to its members\' resubmissions.', defaultText: 'ticket lifetime + 5000' }),
  MATCH_TOKEN_TTL_MS: d(int(1).default(10 * 60_000), { description: 'Lifetime of a signed match token (what game servers verify, and members present after a restart).' }),
  MATCHMAKER_MAX_PLAYERS: d(int(1).default(1_000_000), { description: 'Players queued at most; past it new players get 503 at-capacity (queued ones are always served).' }),
  KEYS_REFRESH_MS: d(int(1_000).default(60_000), { description: 'How often the issuer\'s public keys are fetched again (an unknown key id also triggers a fetch).' }),
  VERIFIER_CACHE_SIZE: d(int(0).default(10_000), { description: 'Verified tickets remembered, so a ticket seen again skips Ed25519.' }),
  MATCH_ISSUER: d(z.string().min(1).default('ticketbooth-matchmaker'), { description: '`iss` of the match tokens this matchmaker signs.' }),
  MATCHMAKER_INVALID_TICKET_BURST: d(int(1).default(DEFAULT_REFUSALS.burst), { description: 'Refused tickets a client address may send in a burst before it is throttled (429).' }),
  MATCHMAKER_INVALID_TICKETS_PER_S: d(int(1).default(DEFAULT_REFUSALS.perSecond), { description: '... and per second after the burst.' }),
  MATCHMAKER_INVALID_TICKETS_PER_CONNECTION: d(int(1).default(DEFAULT_REFUSALS.perConnection), { description: 'Refused or throttled tickets after which a connection is closed.' }),
  MATCHMAKER_TRUSTED_PROXY_HOPS: d(int(0, 16).default(0), {
    description:
      'Proxies in front of this matchmaker that append to X-Forwarded-For (HAProxy: 1). 0: the client address is the socket peer. N: the Nth entry from the right, and refusals are counted per that address without holding or closing the shared proxy connection.',
    example: '1',
  }),
  MATCHMAKER_THROTTLED_HOLD_MS: d(int(0).default(DEFAULT_REFUSALS.holdMs!), { description: 'How long a 429 answer is held before it is sent: a client ignoring Retry-After gets one answer per connection per hold.' }),
  ADMIN_TOKEN: d(z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(), {
    description: "Operator token: the live dashboard's figures (GET /dashboard/events) need `Authorization: Bearer <it>`; the page asks for it. The issuer reads the same variable for its admin endpoints.",
    defaultText: 'unset: the dashboard is open to anyone who can reach this matchmaker',
  }),
  ALLOCATOR_URL: d(z.url({ protocol: /^https?$/ }).optional(), {
    description:
      'Game-server allocator: each ready match is POSTed there (idempotent on the match id) and its members get the answer\'s connection details in a signed assignment. Contract: docs/game-servers.md.',
    defaultText: 'unset: a match is settled once ready',
    example: 'http://127.0.0.1:8702/v1/allocations',
  }),
  ALLOCATOR_TIMEOUT_MS: d(int(100, 60_000).default(3_000), { description: 'Deadline of one allocation attempt.' }),
  ALLOCATOR_ATTEMPTS: d(int(1, 20).default(4), { description: 'Allocation attempts before the match is cancelled and its members go back to their pool with their wait kept.' }),
  ALLOCATOR_MAX_BACKOFF_MS: d(int(0, 60_000).default(2_000), { description: 'Longest wait between two allocation attempts (exponential from 100 ms, with jitter).' }),
  MATCHMAKER_FAST_LANE: d(z.enum(['on', 'off']).default('on'), {
    description: 'Answer POST /v1/queue on the raw socket (about 1.8x cheaper per resubmission); off: every request goes through node:http and Hono.',
  }),
});

/**
 * Builds the matchmaker's config from the environment (and the shared config
 * file it names). Throws `ConfigError` naming every bad field, or when this
 * instance would serve no pool at all.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): MatchmakerConfig {
  const e = parseWith(matchmakerEnvSchema, withoutEmpty(env), 'environment');
  const shared = sharedConfigFromEnv(env);
  const port = e.MATCHMAKER_PORT ?? e.PORT ?? 8701;
  const publicUrl = e.MATCHMAKER_PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${port}`;
  const pools = e.MATCHMAKER_POOLS === undefined ? servedPools(shared, publicUrl) : e.MATCHMAKER_POOLS.split(',');
  if (e.MATCHMAKER_DEV_KEYS === '1' && env.NODE_ENV === 'production') {
    throw new ConfigError('invalid config (environment):\n  - MATCHMAKER_DEV_KEYS: 1 is for development, not with NODE_ENV=production');
  }
  const configured = poolKeysOf(shared);
  for (const pool of pools) {
    if (!configured.includes(pool)) {
      throw new ConfigError(`invalid config (environment):\n  - MATCHMAKER_POOLS: ${pool} is not a configured pool (${configured.join(', ')})`);
    }
  }
  if (pools.length === 0) {
    throw new ConfigError(
      `invalid config (environment):\n  - no pool is served by ${publicUrl} (shard map default ${shared.matchmakers.default}): ` +
        'set MATCHMAKER_URL or MATCHMAKER_PUBLIC_URL to this instance, or MATCHMAKER_POOLS',
    );
  }
  const interval = shared.resubmitIntervalMs;
  const resultTtlMs = e.MATCH_RESULT_TTL_MS ?? shared.ticketTtlMs + 5_000;
  // A proposed match is answered (and its deadline kept) for as long as results are.
  for (const [mode, rules] of Object.entries(shared.modes)) {
    if (rules.accept !== undefined && rules.accept.timeoutMs >= resultTtlMs) {
      throw new ConfigError(`invalid config (environment):\n  - modes.${mode}.accept.timeoutMs (${rules.accept.timeoutMs}) must be shorter than MATCH_RESULT_TTL_MS (${resultTtlMs})`);
    }
  }
  const issuerUrl = e.ISSUER_URL ?? 'http://127.0.0.1:8700';
  // Without an issuer to ask, bans cannot be learnt: that must be chosen (REVOCATIONS=off), or implied
  // by a key file with no ISSUER_URL, never the silent result of an unreachable default URL.
  const revocations = e.REVOCATIONS ?? (e.ISSUER_PUBLIC_KEY_FILE !== undefined && e.ISSUER_URL === undefined ? 'off' : 'on');
  return {
    shared,
    host: e.HOST,
    port,
    publicUrl,
    pools,
    issuerUrl,
    issuerPublicKeyFile: e.ISSUER_PUBLIC_KEY_FILE,
    revocationFeedUrl: revocations === 'on' ? issuerUrl : undefined,
    revocationMaxBackoffMs: e.REVOCATION_MAX_BACKOFF_MS,
    keyFile: keyFileOf(e),
    devKeys: e.MATCHMAKER_DEV_KEYS === '1',
    keyPollMs: e.MATCHMAKER_KEY_POLL_MS,
    // Clients resubmit (and re-announce matches) one interval apart, moved by up to 20 %, and a
    // request that failed during the restart is retried within an interval: all of them arrive
    // within 1.2 intervals of the restart, plus a second for a loaded machine.
    warmupMs: e.WARMUP_MS ?? Math.round(interval * 1.2) + 1_000,
    staleAfterMs: e.STALE_AFTER_MS ?? 3 * interval,
    tickMs: e.MATCHMAKER_TICK_MS,
    // Outliving every ticket of a matched search means none of them can queue it again.
    resultTtlMs,
    matchTokenTtlMs: e.MATCH_TOKEN_TTL_MS,
    maxPlayers: e.MATCHMAKER_MAX_PLAYERS,
    keysRefreshMs: e.KEYS_REFRESH_MS,
    verifierCacheSize: e.VERIFIER_CACHE_SIZE,
    matchIssuer: e.MATCH_ISSUER,
    refusals: {
      burst: e.MATCHMAKER_INVALID_TICKET_BURST,
      perSecond: e.MATCHMAKER_INVALID_TICKETS_PER_S,
      perConnection: e.MATCHMAKER_INVALID_TICKETS_PER_CONNECTION,
      holdMs: e.MATCHMAKER_THROTTLED_HOLD_MS,
    },
    trustedProxyHops: e.MATCHMAKER_TRUSTED_PROXY_HOPS,
    ...(e.ADMIN_TOKEN === undefined ? {} : { adminToken: e.ADMIN_TOKEN }),
    fastLane: e.MATCHMAKER_FAST_LANE === 'on',
    allocator:
      e.ALLOCATOR_URL === undefined
        ? undefined
        : { url: e.ALLOCATOR_URL, timeoutMs: e.ALLOCATOR_TIMEOUT_MS, attempts: e.ALLOCATOR_ATTEMPTS, maxBackoffMs: e.ALLOCATOR_MAX_BACKOFF_MS },
  };
}

/**
 * What the key CLI needs, from the same environment as the service but without the rest of it:
 * rotating keys must not depend on this instance serving a pool.
 */
export function loadKeyConfig(env: Record<string, string | undefined> = process.env): { keyFile: string; matchTokenTtlMs: number; shared: { resultWindowMs: number } } {
  const e = parseWith(matchmakerEnvSchema, withoutEmpty(env), 'environment');
  // The result window (shared config) decides how long a retired key must still verify.
  return { keyFile: keyFileOf(e), matchTokenTtlMs: e.MATCH_TOKEN_TTL_MS, shared: { resultWindowMs: sharedConfigFromEnv(env).resultWindowMs } };
}

function keyFileOf(e: { MATCHMAKER_KEY_FILE?: string | undefined; TICKETBOOTH_HOME?: string | undefined }): string {
  return e.MATCHMAKER_KEY_FILE ?? join(e.TICKETBOOTH_HOME ?? join(REPO_ROOT, '.ticketbooth'), 'matchmaker-keys.json');
}

/**
 * The pools the shard map gives to `publicUrl`: those mapped to it, plus every
 * pool not mapped elsewhere when it is the default matchmaker.
 */
export function servedPools(shared: SharedConfig, publicUrl: string): string[] {
  const self = normalizeUrl(publicUrl);
  const isDefault = normalizeUrl(shared.matchmakers.default) === self;
  return poolKeysOf(shared).filter((key) => {
    const mapped = shared.matchmakers.pools[key];
    return mapped === undefined ? isDefault : normalizeUrl(mapped) === self;
  });
}

function normalizeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}
