// The in-memory queue: one entry per player, grouped by pool, dropped when stale or expired.
import type { Member } from '@ticketbooth/tickets';
import type { Waiting } from './form-matches.ts';
import { ExpiryHeap } from './expiry-heap.ts';

/** What a verified ticket contributes to the queue; kept small because a pool may hold a million. */
export interface TicketFacts {
  readonly sub: string;
  /** "mode/region", the served pool's interned key. */
  readonly pool: string;
  readonly rating: number;
  readonly queuedAt: number;
  readonly party: readonly Member[] | undefined;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Digest of the exact token string: resubmitting it finds the entry without a verify. */
  readonly ticketId: string;
  /** The key that signed it, so a retired key stops serving the entry. */
  readonly kid: string;
}

/** A queued group: the player `sub` plus any party members, as of their newest ticket. */
export class QueueEntry implements TicketFacts, Waiting {
  readonly sub: string;
  readonly pool: string;
  readonly rating: number;
  readonly queuedAt: number;
  readonly party: readonly Member[] | undefined;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly ticketId: string;
  readonly kid: string;
  /** When the search gives up (its mode's maxWaitMs after `queuedAt`); Infinity without a limit. */
  readonly giveUpAt: number;
  lastSeen: number;

  constructor(facts: TicketFacts, now: number, giveUpAt = Infinity) {
    this.sub = facts.sub;
    this.pool = facts.pool;
    this.rating = facts.rating;
    this.queuedAt = facts.queuedAt;
    this.party = facts.party;
    this.issuedAt = facts.issuedAt;
    this.expiresAt = facts.expiresAt;
    this.ticketId = facts.ticketId;
    this.kid = facts.kid;
    this.giveUpAt = giveUpAt;
    this.lastSeen = now;
  }

  get size(): number {
    return this.party === undefined ? 1 : 1 + this.party.length;
  }
}

export type UpsertOutcome = 'added' | 'refreshed' | 'replaced' | 'superseded';
export type DropReason = 'stale' | 'expired' | 'timed_out';

export interface QueueOptions {
  /** An entry not resubmitted for this long is dropped. */
  readonly staleAfterMs: number;
  /** The longest search in a pool (its mode's maxWaitMs), or undefined for no limit. */
  readonly maxWaitMs?: (pool: string) => number | undefined;
}

/**
 * Queued entries by player, by ticket digest and by pool, with an expiry heap
 * keyed by when each entry could next be due. Resubmissions only move
 * `lastSeen`; the heap is revalidated lazily when an entry comes due, so
 * expiry work is proportional to what comes due, never to the pool size.
 *
 * @example
 * const queue = new Queue({ staleAfterMs: 15_000 });
 * queue.upsert(facts, now); queue.expire(now + 20_000); // [{ entry, reason: 'stale' }]
 */
export class Queue {
  readonly #bySub = new Map<string, QueueEntry>();
  readonly #byTicket = new Map<string, QueueEntry>();
  readonly #pools = new Map<string, Set<QueueEntry>>();
  readonly #playersByPool = new Map<string, number>();
  readonly #heap = new ExpiryHeap<QueueEntry>();
  readonly #staleAfterMs: number;
  readonly #maxWaitMs: (pool: string) => number | undefined;
  #players = 0;

  constructor(options: QueueOptions) {
    if (!(options.staleAfterMs > 0)) throw new TypeError('staleAfterMs must be positive');
    this.#staleAfterMs = options.staleAfterMs;
    this.#maxWaitMs = options.maxWaitMs ?? (() => undefined);
  }

  /** When a search that began at `queuedAt` in `pool` gives up; Infinity without a limit. */
  giveUpAt(pool: string, queuedAt: number): number {
    const maxWaitMs = this.#maxWaitMs(pool);
    return maxWaitMs === undefined ? Infinity : queuedAt + maxWaitMs;
  }

  /**
   * Adds or refreshes the player's entry. The same ticket only stamps
   * `lastSeen`; a newer ticket (later `iat`, ties by digest) replaces the
   * entry, also across pools; an older one changes nothing.
   */
  upsert(facts: TicketFacts, now: number): { outcome: UpsertOutcome; entry: QueueEntry } {
    const current = this.#bySub.get(facts.sub);
    if (current !== undefined) {
      if (current.ticketId === facts.ticketId) {
        this.touch(current, now);
        return { outcome: 'refreshed', entry: current };
      }
      if (!isNewer(facts, current)) return { outcome: 'superseded', entry: current };
      this.#unlink(current);
    }
    const entry = new QueueEntry(facts, now, this.giveUpAt(facts.pool, facts.queuedAt));
    this.#bySub.set(entry.sub, entry);
    this.#byTicket.set(entry.ticketId, entry);
    let members = this.#pools.get(entry.pool);
    if (members === undefined) this.#pools.set(entry.pool, (members = new Set()));
    members.add(entry);
    this.#count(entry.pool, entry.size);
    this.#heap.push(entry, this.#deadlineOf(entry));
    return { outcome: current === undefined ? 'added' : 'replaced', entry };
  }

  /** Marks the entry as seen now; its expiry moves with it. */
  touch(entry: QueueEntry, now: number): void {
    if (now > entry.lastSeen) entry.lastSeen = now;
  }

  get(sub: string): QueueEntry | undefined {
    return this.#bySub.get(sub);
  }

  /** The live entry queued by this exact ticket, if any. */
  findByTicket(ticketId: string): QueueEntry | undefined {
    return this.#byTicket.get(ticketId);
  }

  remove(sub: string): QueueEntry | undefined {
    const entry = this.#bySub.get(sub);
    if (entry !== undefined) this.#unlink(entry);
    return entry;
  }

  /** Drops every entry due at `now` (not seen for `staleAfterMs`, ticket expired, or search timed out). */
  expire(now: number): { entry: QueueEntry; reason: DropReason }[] {
    const dropped: { entry: QueueEntry; reason: DropReason }[] = [];
    for (let entry = this.#heap.popDue(now); entry !== undefined; entry = this.#heap.popDue(now)) {
      if (this.#bySub.get(entry.sub) !== entry) continue; // removed or replaced since it was pushed
      const deadline = this.#deadlineOf(entry);
      if (deadline > now) {
        this.#heap.push(entry, deadline);
        continue;
      }
      this.#unlink(entry);
      dropped.push({ entry, reason: entry.expiresAt <= now ? 'expired' : entry.giveUpAt <= now ? 'timed_out' : 'stale' });
    }
    return dropped;
  }

  /** The entries of one pool, for match formation. */
  snapshot(pool: string): QueueEntry[] {
    const members = this.#pools.get(pool);
    return members === undefined ? [] : [...members];
  }

  /** Queued players (party members count), in one pool or in all. */
  players(pool?: string): number {
    return pool === undefined ? this.#players : (this.#playersByPool.get(pool) ?? 0);
  }

  /** Queued entries (groups), in all pools. */
  get size(): number {
    return this.#bySub.size;
  }

  /** Heap slots waiting to come due (live entries plus removed ones not yet skipped). */
  get pendingExpiries(): number {
    return this.#heap.size;
  }

  /** The earliest signed `queuedAt` in a pool; a scan, for the status page only. */
  oldestQueuedAt(pool: string): number | undefined {
    let oldest: number | undefined;
    for (const entry of this.#pools.get(pool) ?? []) if (oldest === undefined || entry.queuedAt < oldest) oldest = entry.queuedAt;
    return oldest;
  }

  #deadlineOf(entry: QueueEntry): number {
    return Math.min(entry.lastSeen + this.#staleAfterMs, entry.expiresAt, entry.giveUpAt);
  }

  #unlink(entry: QueueEntry): void {
    this.#bySub.delete(entry.sub);
    this.#byTicket.delete(entry.ticketId);
    this.#pools.get(entry.pool)?.delete(entry);
    this.#count(entry.pool, -entry.size);
    // Its heap slot stays until due and is skipped then: removal stays O(1).
  }

  #count(pool: string, delta: number): void {
    this.#players += delta;
    this.#playersByPool.set(pool, (this.#playersByPool.get(pool) ?? 0) + delta);
  }
}

function isNewer(facts: TicketFacts, current: QueueEntry): boolean {
  if (facts.issuedAt !== current.issuedAt) return facts.issuedAt > current.issuedAt;
  return facts.ticketId > current.ticketId;
}
