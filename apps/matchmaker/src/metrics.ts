// Prometheus metrics, one registry per app instance so tests never share counters. The
// matchmaker reports to its Observer; what it holds is read from its stats when scraped.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Observer } from './observer.ts';
import type { FeedStatus } from './revocation-feed.ts';

/** What the matchmaker holds, read at each scrape. */
export interface MatchmakerStats {
  playersIn(pool: string): number;
  cacheStats(): { hits: number; misses: number };
  revocationsHeld(): number;
  /** Searching answers since the last call (counted as a plain number on the hot path). */
  takeSearching(): number;
  /** Undefined when this instance runs without a revocation feed. */
  feedStatus(): FeedStatus | undefined;
  now(): number;
}

const NO_STATS: MatchmakerStats = {
  playersIn: () => 0,
  cacheStats: () => ({ hits: 0, misses: 0 }),
  revocationsHeld: () => 0,
  takeSearching: () => 0,
  feedStatus: () => undefined,
  now: Date.now,
};

/**
 * @example
 * const metrics = createMetrics(['duel/eu'], { defaultMetrics: true });
 * const mm = createMatchmaker({ ..., observer: metrics.observer });
 * metrics.read(mm.stats);
 */
export function createMetrics(pools: readonly string[], options: { defaultMetrics?: boolean } = {}) {
  let sources = NO_STATS;
  // Requests the fast lane answered since the last scrape: a plain number on the hot path.
  let laneAnswers = 0;
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'ticketbooth_matchmaker_' });
  const registers = [registry];

  const submissions = new Counter({
    name: 'ticketbooth_matchmaker_submissions_total',
    help: 'Ticket submissions by outcome.',
    labelNames: ['outcome'] as const,
    registers,
    collect() {
      // Also when zero, so the series is there from the first scrape.
      this.inc({ outcome: 'searching' }, sources.takeSearching());
    },
  });
  new Gauge({
    name: 'ticketbooth_matchmaker_ticket_cache_hit_ratio',
    help: 'Share of ticket checks answered without an Ed25519 verify, since start.',
    registers,
    collect() {
      const { hits, misses } = sources.cacheStats();
      this.set(hits + misses === 0 ? 0 : hits / (hits + misses));
    },
  });
  new Counter({
    name: 'ticketbooth_matchmaker_ticket_cache_lookups_total',
    help: 'Ticket checks by cache result.',
    labelNames: ['result'] as const,
    registers,
    collect() {
      const { hits, misses } = sources.cacheStats();
      this.reset();
      this.inc({ result: 'hit' }, hits);
      this.inc({ result: 'miss' }, misses);
    },
  });
  new Gauge({
    name: 'ticketbooth_matchmaker_pool_players',
    help: 'Players queued per pool.',
    labelNames: ['pool'] as const,
    registers,
    collect() {
      for (const pool of pools) this.set({ pool }, sources.playersIn(pool));
    },
  });
  const matches = new Counter({ name: 'ticketbooth_matchmaker_matches_total', help: 'Matches formed.', labelNames: ['pool'] as const, registers });
  const timeToMatch = new Histogram({
    name: 'ticketbooth_matchmaker_time_to_match_seconds',
    help: 'From the signed queuedAt to the match, per player.',
    labelNames: ['pool'] as const,
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers,
  });
  const tickDuration = new Histogram({
    name: 'ticketbooth_matchmaker_tick_duration_seconds',
    help: 'Time to form the matches of one pool in one tick.',
    labelNames: ['pool'] as const,
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  const ratingSpread = new Histogram({
    name: 'ticketbooth_matchmaker_match_rating_spread',
    help: 'Highest minus lowest player rating in a match.',
    labelNames: ['pool'] as const,
    buckets: [10, 25, 50, 100, 200, 300, 400, 600, 1000],
    registers,
  });
  const teamImbalance = new Histogram({
    name: 'ticketbooth_matchmaker_match_team_imbalance',
    help: 'Gap between the highest and lowest mean team rating in a match.',
    labelNames: ['pool'] as const,
    buckets: [1, 5, 10, 25, 50, 100, 200, 400],
    registers,
  });
  const dropped = new Counter({
    name: 'ticketbooth_matchmaker_entries_dropped_total',
    help: 'Queue entries dropped by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  new Gauge({
    name: 'ticketbooth_matchmaker_revocations_held',
    help: 'Revoked players remembered (until their last ticket can have expired).',
    registers,
    collect() {
      this.set(sources.revocationsHeld());
    },
  });
  new Gauge({
    name: 'ticketbooth_matchmaker_revocation_feed_age_seconds',
    help: 'Seconds since the last successful revocation feed poll (+Inf before the first; absent without a feed).',
    registers,
    collect() {
      const feed = sources.feedStatus();
      if (feed === undefined) return;
      this.set(feed.lastSuccessAt === undefined ? Infinity : (sources.now() - feed.lastSuccessAt) / 1000);
    },
  });
  new Counter({
    name: 'ticketbooth_matchmaker_revocation_feed_failures_total',
    help: 'Revocation feed polls that failed (issuer unreachable, refused or unverifiable answer).',
    registers,
    collect() {
      const feed = sources.feedStatus();
      if (feed === undefined) return;
      this.reset();
      this.inc(feed.failures);
    },
  });
  new Counter({
    name: 'ticketbooth_matchmaker_lane_answers_total',
    help: 'POST /v1/queue requests answered on the fast lane (not seen by Hono middleware or node:http instrumentation).',
    registers,
    collect() {
      this.inc(laneAnswers);
      laneAnswers = 0;
    },
  });
  const laneHandOffs = new Counter({
    name: 'ticketbooth_matchmaker_lane_handoffs_total',
    help: 'Connections the fast lane handed to node:http, by the reason of the first request it would not answer.',
    labelNames: ['reason'] as const,
    registers,
  });
  const connectionsClosed = new Counter({
    name: 'ticketbooth_matchmaker_connections_closed_total',
    help: 'Connections this matchmaker closed, by reason (invalid_tickets: too many refused tickets on one connection).',
    labelNames: ['reason'] as const,
    registers,
  });
  const reannouncements = new Counter({
    name: 'ticketbooth_matchmaker_match_reannouncements_total',
    help: 'Matches presented again by a member (POST /v1/matches/current): known, or rebuilt from the token after a restart.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'ticketbooth_matchmaker_http_request_duration_seconds',
    help: 'Requests answered through the app (not the fast lane: see lane_answers_total), by route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });
  const lifecycle = new Counter({
    name: 'ticketbooth_matchmaker_match_lifecycle_total',
    help: 'Steps of matches after forming: proposed, accepted, ready, assigned, and cancels by reason (declined, accept_timeout, allocation_failed); requeued counts cancels that put players back in their pool.',
    labelNames: ['event'] as const,
    registers,
  });
  const observer: Observer = {
    lifecycle: (event) => lifecycle.inc({ event }),
    submitted: (outcome) => submissions.inc({ outcome }),
    dropped: (reason) => dropped.inc({ reason }),
    reannounced: (outcome) => reannouncements.inc({ outcome }),
    formed(pool, formed, tickSeconds) {
      const labels = { pool };
      tickDuration.observe(labels, tickSeconds);
      for (const match of formed) {
        matches.inc(labels);
        ratingSpread.observe(labels, match.ratingSpread);
        teamImbalance.observe(labels, match.imbalance);
        for (const waitMs of match.waitsMs) timeToMatch.observe(labels, waitMs / 1000);
      }
    },
  };
  return {
    registry,
    observer,
    /** Where scrapes read what the matchmaker holds. */
    read(stats: MatchmakerStats): void {
      sources = stats;
    },
    countLaneAnswer: () => void laneAnswers++,
    httpDuration,
    throttled: submissions.labels({ outcome: 'throttled' }),
    connectionsClosed,
    laneHandOffs,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
