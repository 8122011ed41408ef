// The matchmaker's domain: submissions, leaving, and the per-pool tick, over memory only.
import type { SharedConfig } from '@ticketbooth/config';
import { Problem } from '@ticketbooth/http';
import type { KeyRing } from '@ticketbooth/tickets';
import { Deliveries } from './deliveries.ts';
import { createForming, type ServedPool } from './forming.ts';
import { MatchEvents } from './match-events.ts';
import { MatchSigner } from './match-signing.ts';
import { createLeaving } from './leaving.ts';
import { createReannounce } from './reannounce.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { Queue, type QueueEntry, type TicketFacts, type UpsertOutcome } from './pool.ts';
import { DEFAULT_REFUSALS, RefusalBudget, type RefusalBudgetOptions } from './refusal-budget.ts';
import { Results, type MatchResult } from './results.ts';
import { createRevocationFeed, type Fetch, type RevocationFeed } from './revocation-feed.ts';
import { Revocations } from './revocations.ts';
import { createTicketCheck, type CheckedTicket, type TicketKeys } from './ticket-check.ts';
import { Warmup } from './warmup.ts';

export interface MatchmakerSettings {
  readonly shared: SharedConfig;
  readonly pools: readonly string[];
  readonly warmupMs: number;
  readonly staleAfterMs: number;
  readonly resultTtlMs: number;
  readonly matchTokenTtlMs: number;
  readonly maxPlayers: number;
  readonly verifierCacheSize: number;
  readonly matchIssuer: string;
  /** Refused tickets allowed per client address and per connection; DEFAULT_REFUSALS if absent. */
  readonly refusals?: RefusalBudgetOptions;
}

export interface MatchmakerDeps {
  readonly settings: MatchmakerSettings;
  readonly ticketKeys: TicketKeys & { hasKeys(): boolean };
  /** Holds this matchmaker's signing key for match tokens. */
  readonly matchKeys: KeyRing;
  readonly now: () => number;
  readonly newId: () => string;
  readonly defaultMetrics?: boolean;
  /** Where bans come from; without it no ban reaches this matchmaker before the tickets expire. */
  readonly revocationFeed?: { readonly issuerUrl: string; readonly fetch: Fetch };
}

export type Submission =
  | { readonly status: 'searching'; readonly entry: QueueEntry; readonly outcome: UpsertOutcome }
  | { readonly status: 'ready'; readonly result: MatchResult }
  | { readonly status: 'timed_out'; readonly pool: string; readonly queuedForMs: number }
  | { readonly status: 'revoked' }
  | { readonly status: 'left' }
  | { readonly status: 'pool_not_served'; readonly pool: string }
  | { readonly status: 'at_capacity' };

export interface PoolStatus {
  readonly pool: string;
  readonly mode: string;
  readonly region: string;
  readonly players: number;
  readonly oldestWaitMs: number | null;
  readonly matchesFormed: number;
}


const NOT_QUEUED = new Problem(404, 'not-queued', 'Not queued', 'queue with POST /v1/queue first; a stream is only for a ticket that is searching or matched');

/**
 * @example
 * const mm = createMatchmaker({ settings, ticketKeys, matchKeys, now: Date.now, newId: randomUUID });
 * await mm.submit(ticket); mm.tick(); // after warm-up, matches form
 */
export function createMatchmaker(deps: MatchmakerDeps) {
  const { settings, ticketKeys, matchKeys, now, newId } = deps;
  const warmup = new Warmup({ minMs: settings.warmupMs, intervalMs: settings.shared.resubmitIntervalMs });
  warmup.start(now());
  const served = new Map<string, ServedPool>();
  for (const key of settings.pools) {
    const [mode, region] = key.split('/') as [string, string];
    const rules = settings.shared.modes[mode];
    if (rules === undefined) throw new TypeError(`pool ${key}: unknown mode`);
    served.set(key, { key, pool: { mode, region }, rules, matchesFormed: 0 });
  }
  const queue = new Queue({ staleAfterMs: settings.staleAfterMs, maxWaitMs: (pool) => served.get(pool)?.rules.maxWaitMs });
  const results = new Results(settings.resultTtlMs);
  const revocations = new Revocations();
  const events = new MatchEvents(settings.maxPlayers);
  const deliveries = new Deliveries();
  const signer = new MatchSigner();
  const refusals = new RefusalBudget(settings.refusals ?? DEFAULT_REFUSALS);
  const tickets = createTicketCheck({
    shared: settings.shared,
    keys: ticketKeys,
    queue,
    pools: new Map([...served.keys()].map((k) => [k, k])),
    cacheSize: settings.verifierCacheSize,
    now,
  });
  // Who a ticket names, for the paths that accept an expired one (leaving, presenting a match).
  const ticketIdentity = { ring: ticketKeys.ring, issuer: settings.shared.issuer, audience: settings.shared.audiences.ticket, ttlMs: settings.shared.ticketTtlMs };
  const leaving = createLeaving({
    check: (token) => tickets.check(token),
    tickets: ticketIdentity,
    queue,
    maxRemembered: settings.maxPlayers,
    now,
  });
  const reannounceMatch = createReannounce({
    tickets: ticketIdentity,
    matchKeys,
    matchIssuer: settings.matchIssuer,
    audience: settings.shared.audiences.match,
    matchTokenTtlMs: settings.matchTokenTtlMs,
    resultTtlMs: settings.resultTtlMs,
    serves: (pool) => served.has(pool),
    results,
    queue,
    events,
    deliveries,
    isRevoked,
    now,
  });
  const feed: RevocationFeed | undefined =
    deps.revocationFeed === undefined
      ? undefined
      : createRevocationFeed({ ...deps.revocationFeed, shared: settings.shared, keys: ticketKeys, revoke, now });
  // The prom-client counter costs as much as the rest of a resubmission's own work: counted
  // here and added to it when scraped.
  let searching = 0;
  let laneAnswers = 0;
  const metrics: Metrics = createMetrics(
    [...served.keys()],
    {
      playersIn: (pool) => queue.players(pool),
      cacheStats: () => tickets.stats(),
      revocationsHeld: () => revocations.size,
      takeSearching: () => {
        const taken = searching;
        searching = 0;
        return taken;
      },
      takeLaneAnswers: () => {
        const taken = laneAnswers;
        laneAnswers = 0;
        return taken;
      },
      feedStatus: () => feed?.status(),
      now,
    },
    { defaultMetrics: deps.defaultMetrics ?? false },
  );

  const forming = createForming({ settings, served, matchKeys, signer, queue, results, events, deliveries, metrics, newId });

  const counters = {
    superseded: metrics.submissions.labels({ outcome: 'superseded' }),
    invalid: metrics.submissions.labels({ outcome: 'invalid' }),
  };

  /**
   * Queue or refresh the ticket's player, or return their match. Ticket errors
   * throw `TicketError`. Synchronous on the hot path (a queued ticket resubmitted).
   */
  function submit(token: string): Submission | Promise<Submission> {
    let checked: CheckedTicket | Promise<CheckedTicket>;
    try {
      checked = tickets.check(token);
    } catch (error) {
      counters.invalid.inc();
      throw error;
    }
    if (!(checked instanceof Promise)) return count(decide(checked));
    return checked.then(
      (ticket) => count(decide(ticket)),
      (error: unknown) => {
        counters.invalid.inc();
        throw error;
      },
    );
  }

  /**
   * The hot path alone: when this exact ticket is queued (and not revoked), refresh it
   * and return its entry, as `submit` would. Otherwise undefined with nothing changed,
   * and `submit` takes it from there.
   */
  function refreshQueued(token: string): QueueEntry | undefined {
    const at = now();
    const entry = tickets.queued(token, at, isNotRevoked);
    // A search past its mode's limit is answered by `submit`, which ends it.
    if (entry === undefined || entry.giveUpAt <= at) return undefined;
    queue.touch(entry, at);
    searching++;
    return entry;
  }

  function isNotRevoked(facts: TicketFacts): boolean {
    return !isRevoked(facts);
  }

  function count(submission: Submission): Submission {
    if (submission.status === 'searching') {
      if (submission.outcome === 'superseded') counters.superseded.inc();
      else searching++;
    }
    else metrics.submissions.inc({ outcome: submission.status });
    return submission;
  }

  function decide({ facts, entry }: CheckedTicket): Submission {
    const at = now();
    if (isRevoked(facts)) return { status: 'revoked' };
    if (leaving.size > 0 && leaving.hasLeft(facts)) return { status: 'left' };
    if (entry !== undefined && entry.giveUpAt > at) {
      queue.touch(entry, at);
      return { status: 'searching', entry, outcome: 'refreshed' };
    }
    if (!served.has(facts.pool)) return { status: 'pool_not_served', pool: facts.pool };
    const result = results.find(facts.sub, facts.queuedAt, at);
    if (result !== undefined) {
      delivered(result, facts);
      return { status: 'ready', result };
    }
    // Decided from the signed queuedAt: a restart, a refreshed ticket or a resubmission after
    // the entry was dropped all get the same definite end, never a new wait.
    if (queue.giveUpAt(facts.pool, facts.queuedAt) <= at) {
      if (queue.get(facts.sub)?.queuedAt === facts.queuedAt) queue.remove(facts.sub);
      return { status: 'timed_out', pool: facts.pool, queuedForMs: Math.max(0, at - facts.queuedAt) };
    }
    const current = queue.get(facts.sub);
    const size = facts.party === undefined ? 1 : 1 + facts.party.length;
    // Queued players are always served and nobody is evicted: only newcomers meet the limit.
    if (current === undefined && queue.players() + size > settings.maxPlayers) return { status: 'at_capacity' };
    const { outcome, entry: queued } = queue.upsert(facts, at);
    if (outcome === 'added') warmup.arrived(at, size, facts.queuedAt);
    return { status: 'searching', entry: queued, outcome };
  }

  /** The ticket's player (and party) have been answered with this match. */
  function delivered(result: MatchResult, facts: Pick<TicketFacts, 'sub' | 'party'>): void {
    if (deliveries.size === 0) return;
    deliveries.answered(result.match.id, facts.sub);
    for (const member of facts.party ?? []) deliveries.answered(result.match.id, member.sub);
  }

  function isRevoked(facts: Parameters<Revocations['refuses']>[0]): boolean {
    return revocations.size > 0 && revocations.refuses(facts);
  }


  /** A member presenting the match it holds: answered, or rebuilt after a restart (reannounce.ts). */
  function reannounce(ticket: string, matchToken: string): { result: MatchResult; delivered: boolean } {
    const { result, rebuilt, registered, delivered } = reannounceMatch(ticket, matchToken);
    if (rebuilt) warmup.rebuilt(now(), registered);
    metrics.reannouncements.inc({ outcome: rebuilt ? 'rebuilt' : 'known' });
    return { result, delivered };
  }

  /**
   * The match for this ticket's search if formed, else undefined; ticket errors throw, and so
   * does a ticket neither matched nor queued (404 not-queued): a stream for it would wait forever.
   */
  async function findMatch(token: string): Promise<{ sub: string; result: MatchResult | undefined; expiresAt: number }> {
    const { facts } = await tickets.check(token);
    const result = results.find(facts.sub, facts.queuedAt, now());
    if (result === undefined && queue.get(facts.sub) === undefined) throw NOT_QUEUED;
    return { sub: facts.sub, result, expiresAt: facts.expiresAt };
  }

  /**
   * Restarts the warm-up (warmup.ts). Called once the server listens: loading keys and
   * the first revocation poll can take a while after start, and the warm-up is there to
   * let resubmissions and re-announcements arrive, which only begins now.
   */
  function startWarmup(): void {
    warmup.start(now());
  }

  function isWarmingUp(at = now()): boolean {
    return warmup.isWarmingUp(at);
  }

  /** Drops what expired, then (after warm-up) forms matches in every served pool. */
  function tick(): number {
    const at = now();
    for (const { reason } of queue.expire(at)) metrics.dropped.inc({ reason });
    results.expire(at);
    deliveries.expire(at);
    revocations.prune(at, settings.shared.ticketTtlMs + 60_000);
    refusals.prune(at);
    leaving.prune(at);
    if (isWarmingUp(at)) return 0;
    return forming.form(at);
  }

  /** Refuses the player's tickets issued before `notBefore` and drops a queued entry they cover. */
  function revoke(sub: string, notBefore: number): void {
    revocations.add(sub, notBefore);
    const entry = queue.get(sub);
    if (entry !== undefined && entry.issuedAt < notBefore) {
      queue.remove(sub);
      metrics.dropped.inc({ reason: 'revoked' });
    }
  }

  /** Why this instance cannot serve yet (a restart must not let a banned player back in), or undefined. */
  function notReadyReason(): string | undefined {
    if (!ticketKeys.hasKeys()) return 'no ticket verification keys loaded yet';
    if (feed !== undefined && !feed.status().loaded) return 'revocation feed not loaded yet';
    return undefined;
  }

  function pools(): PoolStatus[] {
    const at = now();
    return [...served.values()].map(({ key, pool, matchesFormed }) => {
      const oldest = queue.oldestQueuedAt(key);
      return { pool: key, ...pool, players: queue.players(key), oldestWaitMs: oldest === undefined ? null : Math.max(0, at - oldest), matchesFormed };
    });
  }

  return {
    submit,
    refreshQueued,
    reannounce,
    /** Takes the ticket's player out of the queue for good (leaving.ts); an expired ticket may too. */
    leave: leaving.leave,
    findMatch,
    tick,
    revoke,
    pools,
    isWarmingUp,
    startWarmup,
    notReadyReason,
    isReady: () => notReadyReason() === undefined,
    revocationFeed: feed,
    /** What refused tickets a client may still send: see RefusalBudget. */
    refusals,
    events,
    /** Who has been answered with which match (the push counts too): see Deliveries. */
    deliveries,
    /** Match tokens are signed after the tick, a slice per event-loop turn: see MatchSigner. */
    matchTokens: signer,
    metrics,
    /** Counts one request answered on the fast lane, added to its counter when scraped. */
    countLaneAnswer: () => void laneAnswers++,
    queue,
    settings,
    now,
  };
}

export type Matchmaker = ReturnType<typeof createMatchmaker>;
