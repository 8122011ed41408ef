// Shared by the bench scripts: realistic tickets and the matchmaker settings they run with.
import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { signToken, toPasetoDate, type SigningKey } from '@ticketbooth/tickets';
import type { MatchmakerSettings } from '../src/matchmaker.ts';

export const POOL_SIZE_LIMIT = 2_000_000;

/**
 * Ticket lifetime the bench's own matchmaker accepts: a full throughput run (7 rounds of three
 * cases, 20,000 requests rebuilt per load) takes longer than the default 5 minutes, and an
 * expired ticket would turn the last rounds into 401s.
 */
export const BENCH_TICKET_TTL_MS = 30 * 60_000;

/** Settings that keep every entry queued for the whole run: no matches, nothing stale. */
export function benchSettings(): MatchmakerSettings {
  return {
    shared: parseSharedConfig({ ...DEMO_CONFIG, ticketTtlMs: BENCH_TICKET_TTL_MS }),
    pools: ['duel/eu', 'duel/na', 'squad/eu', 'squad/na'],
    warmupMs: 3_600_000,
    staleAfterMs: 3_600_000,
    resultTtlMs: 60_000,
    matchTokenTtlMs: 600_000,
    maxPlayers: POOL_SIZE_LIMIT,
    // The production default, so the figure includes its fixed cost.
    verifierCacheSize: 10_000,
    matchIssuer: 'ticketbooth-matchmaker',
  };
}

/** A ticket as the issuer signs it for player `i`; every one distinct. Pool and rating: squad, 1000 + i % 1000, unless given. */
export function benchTicket(key: SigningKey, i: number, now: number, lifetimeMs = 5 * 60_000, claims: { pool?: { mode: string; region: string }; rating?: number } = {}): string {
  return signToken(key, 'ticket', {
    iss: 'ticketbooth-issuer',
    sub: `player-${i.toString().padStart(7, '0')}`,
    aud: 'ticketbooth-matchmaker',
    iat: toPasetoDate(now),
    exp: toPasetoDate(now + lifetimeMs),
    jti: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    pool: claims.pool ?? { mode: 'squad', region: i % 2 === 0 ? 'eu' : 'na' },
    rating: claims.rating ?? 1000 + (i % 1000),
    queuedAt: toPasetoDate(now - (i % 60_000)),
  });
}

/** The tick stall bench's rating window: a millionth of a point, never widening (stall-server.ts). */
export const NARROW = { initial: 1e-6, widenPerSecond: 0, max: 1e-6 };
export const STALL_POOLS = ['duel/eu', 'duel/na', 'squad/eu', 'squad/na'] as const;

/** Ratings roughly normal around 1500 (sd ~300), as distinct floats: seeded, so runs compare. */
export function crowdRatings(seed: number): () => number {
  let state = seed >>> 0;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return () => 1500 + (random() + random() + random() + random() - 2) * 520 + random() * 1e-3;
}
