// The issuer's signed revocation feed, polled: a ban reaches a running matchmaker within a poll interval.
import type { SharedConfig } from '@ticketbooth/config';
import { TicketError, createVerifier, type Verified } from '@ticketbooth/tickets';
import { z } from 'zod';
import type { TicketKeys } from './ticket-check.ts';

/** A full page (500 entries) is about 58 KB; nothing bigger is decoded. */
export const FEED_MAX_TOKEN_BYTES = 64 * 1024;
/**
 * Each poll asks again from this long before the previous answer was signed,
 * so a ban committed while that answer was being built (or by another issuer
 * with a slightly different clock) is not skipped. Repeats are idempotent.
 */
export const FEED_OVERLAP_MS = 10_000;
/** A feed token signed longer ago than this (by our clock) is a replay or a badly skewed clock: refused. */
export const FEED_MAX_AGE_MS = 30_000;
/** Bounds one poll's work when the issuer holds a large backlog. */
const MAX_PAGES_PER_POLL = 200;

const feedResponse = z.object({
  token: z.string().max(FEED_MAX_TOKEN_BYTES),
  expiresAt: z.string(),
  complete: z.boolean(),
});

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface RevocationFeedOptions {
  /** The issuer's base URL; the feed is `GET <url>/v1/revocations`. */
  readonly issuerUrl: string;
  readonly shared: SharedConfig;
  /** The issuer's keys, the same ring tickets are verified with. */
  readonly keys: TicketKeys;
  /** Applies one entry: refuse `sub`'s tickets issued before `notBefore`. */
  readonly revoke: (sub: string, notBefore: number) => void;
  readonly now: () => number;
  readonly fetch: Fetch;
  readonly timeoutMs?: number;
}

export interface FeedStatus {
  /** True once one poll succeeded: before that, a banned player could queue. */
  readonly loaded: boolean;
  readonly lastSuccessAt: number | undefined;
  readonly failures: number;
  readonly consecutiveFailures: number;
  readonly entriesApplied: number;
}

/**
 * @example
 * const feed = createRevocationFeed({ issuerUrl, shared, keys, revoke: mm.revoke, now: Date.now, fetch });
 * await feed.poll(); // throws when the issuer is unreachable or the answer does not verify
 */
export function createRevocationFeed(options: RevocationFeedOptions) {
  const { shared, keys, now } = options;
  const endpoint = new URL('/v1/revocations', options.issuerUrl);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const verifier = createVerifier({
    keys: keys.ring,
    purpose: 'revocations',
    issuer: shared.issuer,
    audience: shared.audiences.revocations,
    maxLifetimeMs: 10 * 60_000,
    maxTokenBytes: FEED_MAX_TOKEN_BYTES,
    // Every answer is new: caching would only hold memory.
    cacheSize: 0,
    now,
  });
  let since: number | undefined;
  let lastSuccessAt: number | undefined;
  let failures = 0;
  let consecutiveFailures = 0;
  let entriesApplied = 0;

  async function verify(token: string): Promise<Verified<'revocations'>> {
    try {
      return verifier.verify(token);
    } catch (error) {
      // The issuer may already sign with a key we have not fetched yet.
      if (error instanceof TicketError && error.code === 'unknown_key' && (await keys.refetchForUnknownKid())) return verifier.verify(token);
      throw error;
    }
  }

  async function fetchPage(asked: number | undefined): Promise<{ feed: Verified<'revocations'>; complete: boolean }> {
    const url = new URL(endpoint);
    if (asked !== undefined) url.searchParams.set('since', String(Math.max(0, Math.floor(asked))));
    const requestedAt = now();
    const response = await options.fetch(url.href, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET ${url.pathname}: ${response.status}`);
    const body = feedResponse.parse(await response.json());
    const feed = await verify(body.token);
    checkFeedAnswer(feed, asked, requestedAt, shared.ticketTtlMs);
    return { feed, complete: body.complete };
  }

  /** Fetches every page from where the last poll left off and applies the entries. */
  async function poll(): Promise<number> {
    try {
      let asked = since;
      let first: Verified<'revocations'> | undefined;
      let applied = 0;
      for (let page = 0; ; page++) {
        const { feed, complete } = await fetchPage(asked);
        first ??= feed;
        for (const entry of feed.claims.entries) options.revoke(entry.sub, Date.parse(entry.notBefore));
        applied += feed.claims.entries.length;
        if (complete) break;
        const last = feed.claims.entries.at(-1);
        const next = last === undefined ? undefined : Date.parse(last.notBefore);
        // Pages are ordered by notBefore and `since` is inclusive: no progress means one instant holds a whole page.
        if (next === undefined || (asked !== undefined && next <= asked)) throw new Error('revocation feed page made no progress');
        if (page + 1 >= MAX_PAGES_PER_POLL) throw new Error(`revocation feed still incomplete after ${MAX_PAGES_PER_POLL} pages`);
        asked = next;
      }
      since = first.issuedAt - FEED_OVERLAP_MS;
      lastSuccessAt = now();
      consecutiveFailures = 0;
      entriesApplied += applied;
      return applied;
    } catch (error) {
      failures++;
      consecutiveFailures++;
      throw error;
    }
  }

  function status(): FeedStatus {
    return { loaded: lastSuccessAt !== undefined, lastSuccessAt, failures, consecutiveFailures, entriesApplied };
  }

  return { poll, status };
}

export type RevocationFeed = ReturnType<typeof createRevocationFeed>;

/**
 * Refuses an answer that cannot be the one asked for: signed too long ago
 * (a replayed copy would hide newer bans), or starting later than asked while
 * tickets issued in the gap can still be alive.
 */
export function checkFeedAnswer(feed: Verified<'revocations'>, asked: number | undefined, requestedAt: number, ticketTtlMs: number): void {
  if (feed.issuedAt < requestedAt - FEED_MAX_AGE_MS) throw new Error('revocation feed answer is stale (replayed or clock skew)');
  const from = Date.parse(feed.claims.since);
  const mustCoverFrom = Math.max(asked ?? -Infinity, feed.issuedAt - ticketTtlMs);
  if (from > mustCoverFrom) throw new Error('revocation feed answer starts later than asked');
}

/** Delay before the next poll: the interval, doubled per consecutive failure up to `maxMs`. */
export function nextPollDelay(pollMs: number, consecutiveFailures: number, maxMs: number): number {
  if (consecutiveFailures === 0) return pollMs;
  return Math.min(Math.max(pollMs, maxMs), pollMs * 2 ** Math.min(consecutiveFailures, 16));
}

export interface FeedLoop {
  stop(): void;
}

/**
 * Polls now, then again after `nextPollDelay`: failures are logged and
 * retried with backoff while the matchmaker keeps serving.
 */
export function runRevocationFeed(
  feed: RevocationFeed,
  options: { pollMs: number; maxBackoffMs: number; log: (message: string) => void },
): { firstPoll: Promise<void>; loop: FeedLoop } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  async function once(): Promise<void> {
    try {
      await feed.poll();
    } catch (error) {
      const { consecutiveFailures } = feed.status();
      // One line per outage, then one per 10 failures: an unreachable issuer must not flood the log.
      if (consecutiveFailures === 1 || consecutiveFailures % 10 === 0) {
        options.log(`revocation feed not refreshed (${consecutiveFailures} failed in a row): ${(error as Error).message}`);
      }
    }
    if (stopped) return;
    timer = setTimeout(() => void once(), nextPollDelay(options.pollMs, feed.status().consecutiveFailures, options.maxBackoffMs));
    timer.unref();
  }
  return {
    firstPoll: once(),
    loop: {
      stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
      },
    },
  };
}
