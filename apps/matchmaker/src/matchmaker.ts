// The matchmaker's domain over memory only, behind a narrow surface: submit, re-announce,
// leave, find, tick, status. Each transition lives in its own module: submission.ts
// (searching, ready, timed_out, left), reannounce.ts, leaving.ts, forming.ts, warmup.ts.
import { poolKeyOf, poolKeysOf, type SharedConfig } from '@ticketbooth/config';
import { Problem } from '@ticketbooth/http';
import type { KeyRing } from '@ticketbooth/tickets';
import type { Allocation } from './allocator.ts';
import { createAssignmentSigner } from './assignment.ts';
import { Deliveries } from './deliveries.ts';
import { explainSearch, type Explanation } from './explain.ts';
import { Lifecycle, NO_ACCEPT_STEP, isSettled, plainView, type MatchView } from './lifecycle.ts';
import { createForming, type ServedPool } from './forming.ts';
import { FormationThread } from './formation-thread.ts';
import { MatchEvents } from './match-events.ts';
import { MatchSigner } from './match-signing.ts';
import { createLeaving } from './leaving.ts';
import type { MatchmakerStats } from './metrics.ts';
import { UNOBSERVED, type Observer } from './observer.ts';
import { createReannounce, type Holding } from './reannounce.ts';
import { Queue, type QueueEntry, type TicketFacts } from './pool.ts';
import type { RefusalBudgetOptions } from './refusal-budget.ts';
import { Results, type Match, type MatchResult } from './results.ts';
import { createRevocationFeed, type Fetch, type RevocationFeed } from './revocation-feed.ts';
import { Revocations } from './revocations.ts';
import { createDecide, type Submission } from './submission.ts';
import { createTicketCheck, type CheckedTicket, type TicketKeys } from './ticket-check.ts';
import { WaitEstimates } from './wait-estimate.ts';
import { Warmup } from './warmup.ts';

export type { Submission } from './submission.ts';

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
  /** Refused tickets allowed per client address and per connection (the HTTP layer's); DEFAULT_REFUSALS if absent. */
  readonly refusals?: RefusalBudgetOptions;
  /** Proxies in front that append to X-Forwarded-For (see @ticketbooth/http clientAddress); 0 if absent. */
  readonly trustedProxyHops?: number;
  /** Players in a pool from which its matches form on the formation thread; THREAD_FROM_PLAYERS if absent. */
  readonly formOnThreadFrom?: number;
}

export interface MatchmakerDeps {
  readonly settings: MatchmakerSettings;
  readonly ticketKeys: TicketKeys & { hasKeys(): boolean };
  /** Holds this matchmaker's signing key for match tokens. */
  readonly matchKeys: KeyRing;
  readonly now: () => number;
  readonly newId: () => string;
  /** Who hears what happens (metrics.ts); nobody by default. */
  readonly observer?: Observer;
  /** Where bans come from; without it no ban reaches this matchmaker before the tickets expire. */
  readonly revocationFeed?: { readonly issuerUrl: string; readonly fetch: Fetch };
  /** A queue to start from: benches fill one without signing a ticket per player. */
  readonly queue?: Queue;
  /** The game-server allocation hook (allocator.ts): ready matches are assigned a server through it. */
  readonly allocate?: (match: Match) => Promise<Allocation>;
  /** Where big pools form (formation-thread.ts); its own thread by default. */
  readonly formationThread?: Pick<FormationThread, 'form' | 'close'>;
  /** Where the matchmaker's own troubles go (an allocation given up). */
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface PoolStatus {
  readonly pool: string;
  readonly mode: string;
  /** Absent for a mode with a latency rule: its regions are one pool. */
  readonly region?: string;
  readonly players: number;
  readonly oldestWaitMs: number | null;
  readonly matchesFormed: number;
}

/** A ticket's search as a stream sees it: its match if formed, and until when the ticket holds. */
export interface Found {
  readonly sub: string;
  /** The pool searched in ("mode/region"). */
  readonly pool: string;
  readonly result: MatchResult | undefined;
  readonly expiresAt: number;
}

const NOT_SEARCHING = new Problem(404, 'not-queued', 'Not searching', 'this ticket is not searching here: queue with POST /v1/queue first (a matched search is answered there)');
/** Entries an explanation looks at, at most: it answers one player, and must stay cheap in a pool of a million. */
const EXPLAIN_SCAN_LIMIT = 100_000;
/** A pool's oldest wait in GET /v1/pools is at most this old. */
const OLDEST_SCAN_EVERY_MS = 1_000;
/** One explanation per player per this long: a scan of a big pool costs milliseconds of the loop. */
const EXPLAIN_EVERY_MS = 1_000;
const EXPLAINED_TOO_OFTEN = new Problem(429, 'explain-too-often', 'Too many explanations', `one explanation per player per ${EXPLAIN_EVERY_MS / 1000} s`, {
  'retry-after': String(EXPLAIN_EVERY_MS / 1000),
});

const NOT_QUEUED = new Problem(404, 'not-queued', 'Not queued', 'queue with POST /v1/queue first; a stream is only for a ticket that is searching or ready');

/**
 * @example
 * const mm = createMatchmaker({ settings, ticketKeys, matchKeys, now: Date.now, newId: randomUUID });
 * await mm.submit(ticket); mm.tick(); // after warm-up, matches form
 */
export function createMatchmaker(deps: MatchmakerDeps) {
  const { settings, ticketKeys, matchKeys, now, newId } = deps;
  const observer = deps.observer ?? UNOBSERVED;
  const warmup = new Warmup({ minMs: settings.warmupMs, intervalMs: settings.shared.resubmitIntervalMs });
  warmup.start(now());
  const served = new Map<string, ServedPool>();
  for (const key of settings.pools) {
    const [mode, region] = key.split('/') as [string, string | undefined];
    const rules = Object.hasOwn(settings.shared.modes, mode) ? settings.shared.modes[mode] : undefined;
    if (rules === undefined) throw new TypeError(`pool ${key}: unknown mode`);
    if ((rules.latency === undefined) !== (region !== undefined)) throw new TypeError(`pool ${key}: not a pool of the config (${poolKeysOf(settings.shared).join(', ')})`);
    const matchRules = rules.latency === undefined ? rules : { ...rules, regions: settings.shared.regions };
    served.set(key, { key, pool: region === undefined ? { mode } : { mode, region }, rules, matchRules, matchesFormed: 0 });
  }
  const queue = deps.queue ?? new Queue({ staleAfterMs: settings.staleAfterMs, maxWaitMs: (pool) => served.get(pool)?.rules.maxWaitMs });
  const results = new Results(settings.resultTtlMs);
  const revocations = new Revocations();
  const events = new MatchEvents(settings.maxPlayers);
  const deliveries = new Deliveries();
  const signer = new MatchSigner();
  const lifecycle = new Lifecycle({
    queue,
    results,
    events,
    deliveries,
    allocate: deps.allocate,
    signAssignment: createAssignmentSigner({ matchKeys, matchIssuer: settings.matchIssuer, audience: settings.shared.audiences.match, now }),
    isWarmingUp: (at) => warmup.isWarmingUp(at),
    onEvent: (event) => observer.lifecycle(event),
    now,
    ...(deps.log === undefined ? {} : { log: deps.log }),
  });
  const serves = (pool: string) => served.has(pool);
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
    onLeft(sub, queuedAt) {
      const result = results.find(sub, queuedAt, now());
      const state = result === undefined ? undefined : lifecycle.get(result.match.id);
      if (state !== undefined) lifecycle.left(state, sub);
    },
  });
  const reannounceMatch = createReannounce({
    tickets: ticketIdentity,
    matchKeys,
    matchIssuer: settings.matchIssuer,
    audience: settings.shared.audiences.match,
    matchTokenTtlMs: settings.matchTokenTtlMs,
    resultTtlMs: settings.resultTtlMs,
    serves,
    poolKey: (pool) => poolKeyOf(settings.shared, pool),
    results,
    queue,
    events,
    deliveries,
    lifecycle,
    isRevoked,
    now,
  });
  const decide = createDecide({
    queue,
    results,
    deliveries,
    warmup,
    serves,
    isRevoked,
    hasLeft: (facts) => leaving.size > 0 && leaving.hasLeft(facts),
    viewOf,
    maxPlayers: settings.maxPlayers,
    now,
  });
  const waits = new WaitEstimates();
  const thread = deps.formationThread ?? new FormationThread();
  const forming = createForming({
    settings,
    served,
    matchKeys,
    signer,
    queue,
    results,
    events,
    deliveries,
    lifecycle,
    observer,
    waits,
    newId,
    now,
    thread,
    mayForm: (at) => !warmup.isWarmingUp(at) && !warmup.isIdle(at),
    log: deps.log,
  });
  const feed: RevocationFeed | undefined =
    deps.revocationFeed === undefined
      ? undefined
      : createRevocationFeed({ ...deps.revocationFeed, shared: settings.shared, keys: ticketKeys, revoke, now });
  // Searching answers, counted as a plain number: a metrics call costs as much as the rest of
  // a resubmission's own work. Read (and reset) when scraped.
  let searching = 0;

  /** What `sub` is told about the match in `result`: its phase when it has a life after forming. */
  function viewOf(result: MatchResult, sub: string): MatchView {
    const state = lifecycle.get(result.match.id);
    return state === undefined ? plainView(result.match) : lifecycle.view(state, sub);
  }

  function isRevoked(facts: Parameters<Revocations['refuses']>[0]): boolean {
    return revocations.size > 0 && revocations.refuses(facts);
  }

  /**
   * Queue or refresh the ticket's player, or return their match. Ticket errors
   * throw `TicketError`. Synchronous on the hot path (a queued ticket resubmitted).
   */
  function submit(token: string): Submission | Promise<Submission> {
    let checked: CheckedTicket | Promise<CheckedTicket>;
    try {
      checked = tickets.check(token);
    } catch (error) {
      observer.submitted('invalid');
      throw error;
    }
    if (!(checked instanceof Promise)) {
      warmup.heard(now());
      return counted(decide(checked));
    }
    return checked.then(
      (ticket) => {
        warmup.heard(now());
        return counted(decide(ticket));
      },
      (error: unknown) => {
        observer.submitted('invalid');
        throw error;
      },
    );
  }

  function counted(submission: Submission): Submission {
    if (submission.status === 'matched') observer.submitted(submission.view.status);
    else if (submission.status !== 'searching') observer.submitted(submission.status);
    else if (submission.outcome === 'superseded') observer.submitted('superseded');
    else searching++;
    return submission;
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
    warmup.heard(at);
    queue.touch(entry, at);
    searching++;
    return entry;
  }

  function isNotRevoked(facts: TicketFacts): boolean {
    return !isRevoked(facts);
  }

  /**
   * A member presenting the match it holds, with its acceptance and assignment if it has them:
   * answered with the match's phase, or rebuilt after a restart (reannounce.ts).
   */
  function reannounce(ticket: string, matchToken: string, holding: Holding = {}): { view: MatchView; delivered: boolean } {
    const { result, state, presenter, rebuilt, registered, delivered } = reannounceMatch(ticket, matchToken, holding);
    warmup.heard(now());
    if (rebuilt) warmup.rebuilt(now(), registered);
    observer.reannounced(rebuilt ? 'rebuilt' : 'known');
    return { view: state === undefined ? plainView(result.match) : lifecycle.view(state, presenter.sub), delivered };
  }

  /**
   * A member's answer to a proposed match, authenticated by their own ticket: nobody can accept
   * or decline for a player without that player's ticket. Problems: 409 already-accepted,
   * match-cancelled, match-settled, no-accept-step; those of presenting the match otherwise.
   */
  function respond(ticket: string, matchToken: string, answer: 'accept' | 'decline'): MatchView {
    const { state, presenter, rebuilt, registered } = reannounceMatch(ticket, matchToken);
    warmup.heard(now());
    if (rebuilt) warmup.rebuilt(now(), registered);
    if (state === undefined) throw NO_ACCEPT_STEP;
    if (answer === 'accept') lifecycle.accept(state, presenter);
    else lifecycle.decline(state, presenter);
    const view = lifecycle.view(state, presenter.sub);
    // The last acceptance is answered with the settled match: that member has heard it.
    if (isSettled(view)) deliveries.answered(view.match.id, presenter.sub);
    return view;
  }

  /**
   * The match for this ticket's search if formed, else undefined; ticket errors throw, and so
   * does a ticket neither ready nor queued (404 not-queued): a stream for it would wait forever.
   */
  async function find(token: string): Promise<Found> {
    const { facts } = await tickets.check(token);
    const result = results.find(facts.sub, facts.queuedAt, now());
    if (result === undefined && queue.get(facts.sub) === undefined) throw NOT_QUEUED;
    return { sub: facts.sub, pool: facts.pool, result, expiresAt: facts.expiresAt };
  }

  const explainedAt = new Map<string, number>();
  /** Why this ticket's search has no match yet (explain.ts); 404 not-queued when it is not searching, 429 more often than once a second. */
  async function explain(token: string): Promise<Explanation & { readonly pool: string; readonly estimatedWaitMs: number | null }> {
    const { facts } = await tickets.check(token);
    const entry = queue.get(facts.sub);
    if (entry === undefined || entry.ticketId !== facts.ticketId) throw NOT_SEARCHING;
    const at = now();
    const last = explainedAt.get(entry.sub);
    if (last !== undefined && at - last < EXPLAIN_EVERY_MS && at >= last) throw EXPLAINED_TOO_OFTEN;
    // Re-inserted at the end, so the map stays in time order and the old end is pruned first.
    explainedAt.delete(entry.sub);
    explainedAt.set(entry.sub, at);
    for (const [sub, when] of explainedAt) {
      if (at - when < EXPLAIN_EVERY_MS) break;
      explainedAt.delete(sub);
    }
    const rules = served.get(entry.pool)!.rules;
    return { pool: entry.pool, ...explainSearch(entry, queue.entriesIn(entry.pool), rules, at, EXPLAIN_SCAN_LIMIT), estimatedWaitMs: waits.estimate(entry.pool, at) };
  }

  /**
   * Drops what expired, then (after warm-up) forms matches in every served pool: returns how
   * many were settled before it returns. A big pool's matches form on the formation thread and
   * settle over the next turns (`formingIdle`).
   */
  function tick(): number {
    const at = now();
    for (const { reason } of queue.expire(at)) observer.dropped(reason);
    results.expire(at);
    deliveries.expire(at);
    revocations.prune(at, settings.shared.ticketTtlMs + 60_000);
    leaving.prune(at);
    lifecycle.tick(at);
    if (warmup.isWarmingUp(at) || warmup.isIdle(at)) return 0;
    return forming.form(at);
  }

  /**
   * Refuses the player's tickets issued before `notBefore`, drops a queued entry they cover,
   * and takes the player out of a match still waiting for acceptances, as a decline: the
   * others go back to their pool with their wait (a ready or assigned match is the game's).
   */
  function revoke(sub: string, notBefore: number): void {
    revocations.add(sub, notBefore);
    const entry = queue.get(sub);
    if (entry !== undefined && entry.issuedAt < notBefore) {
      queue.remove(sub);
      observer.dropped('revoked');
    }
    const latest = results.latest(sub, now());
    const state = latest === undefined ? undefined : lifecycle.get(latest.match.id);
    if (state !== undefined) lifecycle.revoked(state, sub, notBefore);
  }

  /** Why this instance cannot serve yet (a restart must not let a banned player back in), or undefined. */
  function notReadyReason(): string | undefined {
    if (!ticketKeys.hasKeys()) return 'no ticket verification keys loaded yet';
    if (feed !== undefined && !feed.status().loaded) return 'revocation feed not loaded yet';
    return undefined;
  }

  // GET /v1/pools is public, and finding a pool's oldest entry is a scan (milliseconds of the
  // loop at a million players): each pool is scanned at most once a second, however often asked.
  const oldestSeen = new Map<string, { readonly at: number; readonly oldest: number | undefined }>();
  function oldestQueuedAt(key: string, at: number): number | undefined {
    if (queue.players(key) === 0) {
      oldestSeen.delete(key);
      return undefined;
    }
    const seen = oldestSeen.get(key);
    if (seen !== undefined && at >= seen.at && at - seen.at < OLDEST_SCAN_EVERY_MS) return seen.oldest;
    const oldest = queue.oldestQueuedAt(key);
    oldestSeen.set(key, { at, oldest });
    return oldest;
  }

  function pools(): PoolStatus[] {
    const at = now();
    return [...served.values()].map(({ key, pool, matchesFormed }) => {
      const oldest = oldestQueuedAt(key, at);
      return { pool: key, ...pool, players: queue.players(key), oldestWaitMs: oldest === undefined ? null : Math.max(0, at - oldest), matchesFormed };
    });
  }

  const stats: MatchmakerStats = {
    playersIn: (pool) => queue.players(pool),
    cacheStats: () => tickets.stats(),
    revocationsHeld: () => revocations.size,
    takeSearching() {
      const taken = searching;
      searching = 0;
      return taken;
    },
    feedStatus: () => feed?.status(),
    now,
  };

  return {
    submit,
    refreshQueued,
    reannounce,
    respond,
    viewOf,
    /** Takes the ticket's player out of the queue for good (leaving.ts); an expired ticket may too. */
    leave: leaving.leave,
    find,
    explain,
    /** Median recent time-to-match in the pool (wait-estimate.ts), null before any match there lately. */
    estimatedWaitMs: (pool: string) => waits.estimate(pool, now()),
    /** Recent time-to-match p50 and p95 in the pool, for the dashboard. */
    timeToMatch: (pool: string) => waits.quantiles(pool, now()),
    /**
     * How many searches in the pool have waited (from the signed queuedAt) less than each bound,
     * the last bucket the rest: for the dashboard. Walks the pool (~35 ms at 1M entries).
     */
    waitHistogram(pool: string, at: number, boundsMs: readonly number[]): number[] {
      const counts = new Array<number>(boundsMs.length + 1).fill(0);
      for (const entry of queue.entriesIn(pool)) {
        const wait = at - entry.queuedAt;
        let bucket = 0;
        while (bucket < boundsMs.length && wait >= boundsMs[bucket]!) bucket++;
        counts[bucket]!++;
      }
      return counts;
    },
    /** Where the warm-up after a (re)start stands (warmup.ts). */
    warmupStatus: (at = now()) => warmup.status(at),
    /** Calls `listener` with the player's match when it forms; undefined when at the listener limit. */
    watch: (sub: string, listener: (result: MatchResult) => void) => events.subscribe(sub, listener),
    /** Match tokens are signed after the tick, a slice per event-loop turn: see MatchSigner. */
    whenSigned: (match: Match) => signer.whenSigned(match),
    /** The player has been pushed the match's phase (SSE): delivered once settled (deliveries.ts), and counted as an answer. */
    pushed(view: MatchView, sub: string): void {
      if (isSettled(view)) deliveries.answered(view.match.id, sub);
      observer.submitted(view.status);
    },
    /** Matches with a life after forming still followed (proposed, allocating, or kept to answer). */
    lifecycleSize: () => lifecycle.size,
    tick,
    /** Resolves once every formation begun by a tick has settled its matches. */
    formingIdle: () => forming.idle(),
    /** Pools whose formation is still under way. */
    formingBusy: () => forming.busy(),
    /** Ends the formation thread (at shutdown). */
    close: () => thread.close(),
    revoke,
    /** The player's queued search (a party: its leader's), if any. */
    queued: (sub: string): QueueEntry | undefined => queue.get(sub),
    /** Players queued in one pool, or in all. */
    playersIn: (pool?: string) => queue.players(pool),
    pools,
    isWarmingUp: (at = now()) => warmup.isWarmingUp(at),
    /**
     * Restarts the warm-up (warmup.ts). Called once the server listens: loading keys and the
     * first revocation poll can take a while after start, and the warm-up is there to let
     * resubmissions and re-announcements arrive, which only begins now.
     */
    startWarmup: () => warmup.start(now()),
    notReadyReason,
    isReady: () => notReadyReason() === undefined,
    revocationFeed: feed,
    /** Match tokens waiting to be signed, and a promise for when none is. */
    signing: { backlog: () => signer.backlog, idle: () => signer.idle() },
    stats,
  };
}

export type Matchmaker = ReturnType<typeof createMatchmaker>;
