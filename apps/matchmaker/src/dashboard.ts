// What the matchmaker's dashboard shows (GET /dashboard): per pool, who is searching and for how
// long, how fast matches form, and after a restart how the rebuild is going.
import { RateWindow, type DashboardView } from '@ticketbooth/http';
import type { Matchmaker } from './matchmaker.ts';

/** Wait buckets of the histogram, in seconds. */
const WAIT_BOUNDS_S = [5, 15, 30, 60, 120, 300];
const WAIT_BOUNDS_MS = WAIT_BOUNDS_S.map((s) => s * 1000);
const WAIT_LABELS = ['<5 s', '5-15', '15-30', '30-60', '1-2 m', '2-5 m', '5 m+'];
/** A pool this big is walked for its histogram at most every BIG_POOL_REFRESH_MS (~35 ms of the loop per 1M). */
const BIG_POOL = 50_000;
const BIG_POOL_REFRESH_MS = 15_000;

const hint = (text: string | undefined) => (text === undefined ? {} : { hint: text });
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

/**
 * A view builder for dashboardRoutes: call it once a second (it keeps each pool's match rate
 * between calls).
 *
 * @example
 * dashboardRoutes({ title: 'Matchmaker', view: matchmakerView(mm, Date.now, startedAt) })
 */
export function matchmakerView(mm: Matchmaker, now: () => number, startedAt: number, revocationPollMs: number): () => DashboardView {
  const rates = new Map<string, RateWindow>();
  const waits = new Map<string, { at: number; counts: number[] }>();
  const waitHistogram = (pool: string, players: number, at: number) => {
    const cached = waits.get(pool);
    if (cached !== undefined && players >= BIG_POOL && at - cached.at < BIG_POOL_REFRESH_MS) return cached.counts;
    const counts = mm.waitHistogram(pool, at, WAIT_BOUNDS_MS);
    waits.set(pool, { at, counts });
    return counts;
  };
  const total = new RateWindow(startedAt);
  return () => {
    const at = now();
    const pools = mm.pools();
    let players = 0;
    let formed = 0;
    const rows = pools.map((pool) => {
      players += pool.players;
      formed += pool.matchesFormed;
      let rate = rates.get(pool.pool);
      if (rate === undefined) rates.set(pool.pool, (rate = new RateWindow(startedAt)));
      const lastMinute = rate.lastMinute(at, pool.matchesFormed);
      const { p50, p95 } = mm.timeToMatch(pool.pool);
      return [pool.pool, pool.players, seconds(pool.oldestWaitMs), lastMinute, seconds(p50), seconds(p95), pool.matchesFormed];
    });
    const warmup = mm.warmupStatus();
    const feed = mm.revocationFeed?.status();
    const feedAgeMs = feed?.lastSuccessAt === undefined ? null : at - feed.lastSuccessAt;
    return {
      service: 'matchmaker',
      startedAt,
      at,
      cards: [
        { key: 'players', label: 'Players searching', value: players },
        { key: 'matches', label: 'Matches formed', value: formed, hint: 'since this process started' },
        { key: 'rate', label: 'Matches in the last minute', value: total.lastMinute(at, formed), ...hint(total.shortWindowHint(at)) },
        { key: 'in-flight', label: 'Matches being settled', value: mm.lifecycleSize(), hint: 'proposed, allocating, or kept to answer' },
        {
          key: 'warmup',
          label: 'State',
          value: warmup.warmingUp ? 'warming up' : mm.isReady() ? 'matching' : 'not ready',
          state: warmup.warmingUp ? 'warn' : mm.isReady() ? 'ok' : 'bad',
          hint: `up ${Math.round((at - startedAt) / 1000)} s`,
        },
        {
          key: 'revocations',
          label: 'Revocation feed age',
          value: feedAgeMs === null ? (feed === undefined ? 'off' : 'not loaded') : `${(feedAgeMs / 1000).toFixed(1)} s`,
          state: feedAgeMs === null ? (feed === undefined ? undefined : 'bad') : feedAgeMs > 5 * revocationPollMs ? 'bad' : feedAgeMs > 2 * revocationPollMs ? 'warn' : 'ok',
          hint: feed === undefined ? 'no issuer feed' : `polled every ${revocationPollMs / 1000} s${feed.consecutiveFailures > 0 ? `, ${feed.consecutiveFailures} failed in a row` : ''}`,
        },
      ],
      tables: [{ title: 'Pools', columns: ['Pool', 'Searching', 'Oldest wait (s)', 'Matches, last minute', 'Time to match p50 (s)', 'p95 (s)', 'Matches formed'], rows }],
      histograms: [
        {
          title: 'Searches waiting now (a party is one)',
          labels: WAIT_LABELS,
          series: pools.filter((pool) => pool.players > 0).map((pool) => ({ name: pool.pool, counts: waitHistogram(pool.pool, pool.players, at) })),
        },
      ],
      ...(warmup.warmingUp || at - startedAt < 120_000 ? { warmup } : {}),
    };
  };
}
