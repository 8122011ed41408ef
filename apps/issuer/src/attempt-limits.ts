// Login attempt limits per username and per client address: in this process's memory, or shared
// by every issuer through PostgreSQL. Counting is rate-limiter-flexible's; what a refusal leaves is ours.
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateWindow {
  /** Attempts allowed per key in one window. */
  readonly limit: number;
  /** The window opens at a key's first attempt and lasts this long. */
  readonly windowMs: number;
}

export interface LoginLimitWindows {
  readonly perUsername: RateWindow;
  readonly perAddress: RateWindow;
}

/** Two limiters from rate-limiter-flexible (memory or PostgreSQL); use them through `takeLoginAttempt`. */
export interface LoginLimits {
  readonly byUsername: RateLimiterAbstract;
  readonly byAddress: RateLimiterAbstract;
}

export interface AttemptDecision {
  readonly allowed: boolean;
  /** When refused: how long until an attempt would be allowed. 0 when allowed. */
  readonly retryAfterMs: number;
}

/** The table migration 3 creates; the library's layout (key, points, expire), with TEXT keys. */
export const LOGIN_ATTEMPTS_TABLE = 'login_attempts';

// A give-back this close to the end of a window is skipped: the window resets anyway, and one
// landing just after the reset would open the next window at -1, one attempt over the limit.
const GIVE_BACK_MARGIN_MS = 1_000;

// The library counts whole windows in seconds; ours are milliseconds.
const options = (window: RateWindow) => ({ points: window.limit, duration: window.windowMs / 1000 });

/** Limits for a single issuer (the SQLite default): state lives and dies with the process. */
export function memoryLoginLimits(windows: LoginLimitWindows): LoginLimits {
  return {
    byUsername: new RateLimiterMemory({ ...options(windows.perUsername), keyPrefix: 'user' }),
    byAddress: new RateLimiterMemory({ ...options(windows.perAddress), keyPrefix: 'address' }),
  };
}

/**
 * Limits shared by every issuer on the database behind `pool` (its search_path picks the schema).
 * Each attempt is one atomic upsert, so N issuers together allow exactly `limit` per window.
 * The table comes from the store's migrations, never from the limiter: replicas starting
 * together would race to create it.
 */
export function postgresLoginLimits(pool: pg.Pool, windows: LoginLimitWindows): LoginLimits {
  const shared = { storeClient: pool, storeType: 'pool', tableName: LOGIN_ATTEMPTS_TABLE, tableCreated: true };
  return {
    byUsername: new RateLimiterPostgres({ ...shared, ...options(windows.perUsername), keyPrefix: 'user' }),
    byAddress: new RateLimiterPostgres({ ...shared, ...options(windows.perAddress), keyPrefix: 'address' }),
  };
}

type Taken = { readonly allowed: true; readonly windowLeftMs: number } | { readonly allowed: false; readonly retryAfterMs: number };

/** One attempt against `key`; a refusal is the library's rejection with a RateLimiterRes, a store failure a plain error. */
async function take(limiter: RateLimiterAbstract, key: string): Promise<Taken> {
  try {
    const res = await limiter.consume(key);
    return { allowed: true, windowLeftMs: res.msBeforeNext };
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    // Counted past the limit: harmless, nothing is decided by how far past, and it resets with the window.
    return { allowed: false, retryAfterMs: Math.max(1, error.msBeforeNext) };
  }
}

async function waitFor(limiter: RateLimiterAbstract, key: string): Promise<number> {
  const res = await limiter.get(key);
  return res !== null && res.consumedPoints >= limiter.points ? Math.max(1, res.msBeforeNext) : 0;
}

/**
 * Counts one attempt against the address and, when given, the username, or refuses it. A refused
 * attempt uses up nothing: the address is asked first so a sprayer over its limit never reaches
 * the username counters, and an address attempt is given back when the username refuses.
 * Rejects when the store fails: an unlimited login is not the fallback.
 *
 * @example
 * const decision = await takeLoginAttempt(limits, 'alice', '198.51.100.7');
 * if (!decision.allowed) answer429(decision.retryAfterMs);
 */
export async function takeLoginAttempt(limits: LoginLimits, username: string | undefined, address: string): Promise<AttemptDecision> {
  const byAddress = await take(limits.byAddress, address);
  if (!byAddress.allowed) {
    // Retry-After says when both limits would take an attempt again.
    const nameWait = username === undefined ? 0 : await waitFor(limits.byUsername, username);
    return { allowed: false, retryAfterMs: Math.max(byAddress.retryAfterMs, nameWait) };
  }
  if (username === undefined) return { allowed: true, retryAfterMs: 0 };
  const byName = await take(limits.byUsername, username);
  if (byName.allowed) return { allowed: true, retryAfterMs: 0 };
  if (byAddress.windowLeftMs > GIVE_BACK_MARGIN_MS) await limits.byAddress.reward(address);
  return { allowed: false, retryAfterMs: byName.retryAfterMs };
}
