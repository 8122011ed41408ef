// The in-memory queue: one entry per player, grouped by pool, dropped when stale or expired.
import type { Attributes, Member } from '@ticketbooth/tickets';
import { tieOf } from './columns.ts';
import type { Waiting } from './form-matches.ts';
import { ExpiryHeap } from './expiry-heap.ts';

/** What a verified ticket contributes to the queue; kept small because a pool may hold a million. */
export interface TicketFacts {
  readonly sub: string;
  /** "mode/region", the served pool's interned key. */
  readonly pool: string;
  readonly rating: number;
  /** The rating's uncertainty (sigma, whole points) when the ticket carries one. */
  readonly uncertainty?: number | undefined;
  readonly queuedAt: number;
  readonly party: readonly Member[] | undefined;
  /** The signed claims objects themselves (shared, not copied): read by the latency and attribute rules. */
  readonly latencies?: Readonly<Record<string, number>> | undefined;
  readonly attributes?: Attributes | undefined;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Digest of the exact token string: resubmitting it finds the entry without a verify. */
  readonly ticketId: string;
  /** The key that signed it, so a retired key stops serving the entry. */
  readonly kid: string;
}

/**
 * Where the times of an entry count from: its load time, so `queuedAt` is a small offset for the
 * first 24 days of a process. 64-bit Node keeps an int32 (a Smi) in the object itself and any other
 * number in a 16-byte box of its own: boxed times were up to 80 of an entry's 208 bytes. Being
 * declared class fields (undefined until set), its time fields stay tagged in V8: an odd time in
 * one entry boxes only itself, never the Smis of every other entry.
 */
const EPOCH = Math.trunc(Date.now());

/**
 * A time kept as it is, in the few cases a plain number would not do: an integer, since a stored
 * integer reads as an offset; and Infinity, one shared instance rather than a box per entry.
 */
class Exact {
  constructor(readonly at: number) {}
}
const NEVER = new Exact(Infinity);

/** A time as an entry keeps it: an int32 offset from its base, else the time itself (read back exactly either way). */
type StoredTime = number | Exact;

function storedTime(time: number, base: number): StoredTime {
  const offset = time - base;
  // Object.is: an offset is kept only if it reads back as this very number (fractions, -0, NaN are kept as they are).
  if ((offset | 0) === offset && Object.is(base + offset, time)) return offset;
  if (time === Infinity) return NEVER;
  return (time | 0) === time ? new Exact(time) : time;
}

function timeOf(stored: StoredTime, base: number): number {
  return typeof stored !== 'number' ? stored.at : (stored | 0) === stored ? base + stored : stored;
}

/**
 * A queued group: the player `sub` plus any party members, as of their newest ticket.
 *
 * Its times are read as ordinary numbers, and kept as small offsets: `queuedAt` from the module's
 * epoch, the others from `queuedAt` (so they stay small however long the process runs). A time that
 * does not fit is kept as it is, and costs what it used to.
 */
export class QueueEntry implements TicketFacts, Waiting {
  readonly sub: string;
  readonly pool: string;
  readonly rating: number;
  /** Whole points (a Smi in the entry), 0 when the ticket carries none. */
  readonly uncertainty: number;
  #queuedAt: StoredTime;
  readonly party: readonly Member[] | undefined;
  readonly latencies: Readonly<Record<string, number>> | undefined;
  readonly attributes: Attributes | undefined;
  #issuedAt: StoredTime;
  #expiresAt: StoredTime;
  readonly ticketId: string;
  readonly kid: string;
  #giveUpAt: StoredTime;
  #lastSeen: StoredTime;
  /** `tieOf(sub)`, kept: every formation of a big pool reads it for every entry. */
  readonly tie: number;

  constructor(facts: TicketFacts, now: number, giveUpAt = Infinity) {
    const queuedAt = facts.queuedAt;
    this.sub = facts.sub;
    this.pool = facts.pool;
    this.rating = facts.rating;
    this.uncertainty = facts.uncertainty ?? 0;
    this.#queuedAt = storedTime(queuedAt, EPOCH);
    this.party = facts.party;
    this.latencies = facts.latencies;
    this.attributes = facts.attributes;
    this.#issuedAt = storedTime(facts.issuedAt, queuedAt);
    this.#expiresAt = storedTime(facts.expiresAt, queuedAt);
    this.ticketId = facts.ticketId;
    this.kid = facts.kid;
    this.#giveUpAt = storedTime(giveUpAt, queuedAt);
    this.#lastSeen = storedTime(now, queuedAt);
    this.tie = tieOf(facts.sub);
  }

  get queuedAt(): number {
    return timeOf(this.#queuedAt, EPOCH);
  }

  get issuedAt(): number {
    return timeOf(this.#issuedAt, this.queuedAt);
  }

  get expiresAt(): number {
    return timeOf(this.#expiresAt, this.queuedAt);
  }

  /** When the search gives up (its mode's maxWaitMs after `queuedAt`); Infinity without a limit. */
  get giveUpAt(): number {
    return timeOf(this.#giveUpAt, this.queuedAt);
  }

  get lastSeen(): number {
    return timeOf(this.#lastSeen, this.queuedAt);
  }

  set lastSeen(now: number) {
    this.#lastSeen = storedTime(now, this.queuedAt);
  }

  get size(): number {
    return this.party === undefined ? 1 : 1 + this.party.length;
  }
}

export type UpsertOutcome = 'added' | 'refreshed' | 'replaced' | 'superseded' | 'regrouped';
/** What an upsert did, and the entry now holding the ticket's group (none when it was regrouped). */
export type Upserted = { readonly outcome: Exclude<UpsertOutcome, 'regrouped'>; readonly entry: QueueEntry } | { readonly outcome: 'regrouped'; readonly entry?: undefined };
const REGROUPED: Upserted = { outcome: 'regrouped' };

/** The newest ticket seen with a player in a party, or after one: which group the player is in now. */
interface Newest {
  readonly issuedAt: number;
  readonly ticketId: string;
  readonly group: string;
  readonly expiresAt: number;
}
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
  /**
   * Kept past the entries themselves (matched, left, displaced), until the ticket expires, and only
   * for players who were in a party ticket: an older ticket of another group arriving later (a
   * client still holding a party ticket its member left) is refused whatever the arrival order.
   */
  readonly #newest = new Map<string, Newest>();
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
   * Adds or refreshes the entry of the ticket's players (its holder and party). The same ticket
   * only stamps `lastSeen`. A player's newest ticket wins (later `iat`, ties by digest): a newer
   * ticket replaces every entry holding one of its players, also across pools and groups (a
   * member's solo ticket takes them out of their party's entry; a party ticket takes its members
   * out of their solo entries), so no player is ever in two entries. An older one changes
   * nothing: `superseded` when the newer entry is the same group, `regrouped` when one of its
   * players is now queued in another group.
   */
  upsert(facts: TicketFacts, now: number): Upserted {
    const current = this.#bySub.get(facts.sub);
    if (current !== undefined && current.ticketId === facts.ticketId) {
      this.touch(current, now);
      return { outcome: 'refreshed', entry: current };
    }
    if ((facts.party !== undefined || this.#newest.size > 0) && this.#regroupedSince(facts, now)) return REGROUPED;
    const holding = this.#entriesOf(facts, current);
    for (const held of holding) {
      if (!isNewer(facts, held)) return sameGroup(facts, held) ? { outcome: 'superseded', entry: held } : REGROUPED;
    }
    for (const held of holding) this.#unlink(held);
    const entry = new QueueEntry(facts, now, this.giveUpAt(facts.pool, facts.queuedAt));
    this.#bySub.set(entry.sub, entry);
    for (const member of entry.party ?? []) this.#bySub.set(member.sub, entry);
    this.#byTicket.set(entry.ticketId, entry);
    let members = this.#pools.get(entry.pool);
    if (members === undefined) this.#pools.set(entry.pool, (members = new Set()));
    members.add(entry);
    this.#count(entry.pool, entry.size);
    this.#heap.push(entry, this.#deadlineOf(entry));
    return { outcome: holding.length === 0 ? 'added' : 'replaced', entry };
  }

  /**
   * Notes the ticket as its players' newest where it is, and says whether one of its players'
   * newest ticket (an entry, or one remembered) is of another group. Either way, an entry this
   * ticket is newer than for one of its players is dead from now on (that player moved on) and
   * goes, so that resubmitting it finds nothing.
   */
  #regroupedSince(facts: TicketFacts, now: number): boolean {
    const group = groupKey(facts);
    let regrouped = false;
    const newestFor: string[] = [];
    for (const sub of playersOf(facts)) {
      let known = this.#newest.get(sub);
      if (known !== undefined && known.expiresAt <= now) known = undefined;
      const held = this.#bySub.get(sub);
      // Named, not spread: an entry's times are getters, which a spread would not copy.
      if (held !== undefined && (known === undefined || isNewer(held, known))) known = { issuedAt: held.issuedAt, ticketId: held.ticketId, group: groupKey(held), expiresAt: held.expiresAt };
      if (known !== undefined && known.ticketId !== facts.ticketId && isNewer(known, facts)) {
        if (known.group !== group) regrouped = true;
      } else newestFor.push(sub);
    }
    for (const sub of newestFor) {
      if (facts.party === undefined && !this.#newest.has(sub)) continue;
      // Re-inserted at the end: the map stays in about the order its tickets expire.
      this.#newest.delete(sub);
      this.#newest.set(sub, { issuedAt: facts.issuedAt, ticketId: facts.ticketId, group, expiresAt: facts.expiresAt });
    }
    if (regrouped) {
      for (const sub of newestFor) {
        const held = this.#bySub.get(sub);
        if (held !== undefined && held.ticketId !== facts.ticketId) this.#unlink(held);
      }
    }
    return regrouped;
  }

  /** The entries now holding any of the ticket's players (a solo ticket: at most one, found without a list walk). */
  #entriesOf(facts: TicketFacts, holder: QueueEntry | undefined): QueueEntry[] {
    if (facts.party === undefined) return holder === undefined ? [] : [holder];
    const found = holder === undefined ? [] : [holder];
    for (const member of facts.party) {
      const held = this.#bySub.get(member.sub);
      if (held !== undefined && !found.includes(held)) found.push(held);
    }
    return found;
  }

  /** Marks the entry as seen now; its expiry moves with it. */
  touch(entry: QueueEntry, now: number): void {
    if (now > entry.lastSeen) entry.lastSeen = now;
  }

  /** The entry holding this player: their own, or their party's. */
  get(sub: string): QueueEntry | undefined {
    return this.#bySub.get(sub);
  }

  /** The live entry queued by this exact ticket, if any. */
  findByTicket(ticketId: string): QueueEntry | undefined {
    return this.#byTicket.get(ticketId);
  }

  /** Removes the entry holding this player, with everyone in it. */
  remove(sub: string): QueueEntry | undefined {
    const entry = this.#bySub.get(sub);
    if (entry !== undefined) this.#unlink(entry);
    return entry;
  }

  /** Drops every entry due at `now` (not seen for `staleAfterMs`, ticket expired, or search timed out). */
  expire(now: number): { entry: QueueEntry; reason: DropReason }[] {
    for (const [sub, known] of this.#newest) {
      if (known.expiresAt > now) break;
      this.#newest.delete(sub);
    }
    const dropped: { entry: QueueEntry; reason: DropReason }[] = [];
    for (let entry = this.#heap.popDue(now); entry !== undefined; entry = this.#heap.popDue(now)) {
      if (this.#byTicket.get(entry.ticketId) !== entry) continue; // removed or replaced since it was pushed
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

  /** The entries of one pool, without copying them (for a read that must not change the queue). */
  entriesIn(pool: string): Iterable<QueueEntry> {
    return this.#pools.get(pool) ?? [];
  }

  /** Queued players (party members count), in one pool or in all. */
  players(pool?: string): number {
    return pool === undefined ? this.#players : (this.#playersByPool.get(pool) ?? 0);
  }

  /** Queued entries (groups), in all pools. */
  get size(): number {
    return this.#byTicket.size;
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

  /** Still the entry its ticket queued (not matched, left, replaced or revoked since), and not due to go at `now`. */
  isLive(entry: QueueEntry, now: number): boolean {
    return this.#byTicket.get(entry.ticketId) === entry && this.#deadlineOf(entry) > now;
  }

  #deadlineOf(entry: QueueEntry): number {
    return Math.min(entry.lastSeen + this.#staleAfterMs, entry.expiresAt, entry.giveUpAt);
  }

  #unlink(entry: QueueEntry): void {
    for (const sub of playersOf(entry)) if (this.#bySub.get(sub) === entry) this.#bySub.delete(sub);
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

function playersOf(group: Pick<TicketFacts, 'sub' | 'party'>): string[] {
  return group.party === undefined ? [group.sub] : [group.sub, ...group.party.map((m) => m.sub)];
}

/** Holder, then the other members in order: equal for every ticket of one group. */
function groupKey(facts: TicketFacts): string {
  return facts.party === undefined ? facts.sub : `${facts.sub} ${facts.party.map((m) => m.sub).sort().join(' ')}`;
}

/** The same players under the same holder: a refresh of one group's ticket. */
function sameGroup(facts: TicketFacts, entry: QueueEntry): boolean {
  if (facts.sub !== entry.sub || facts.party?.length !== entry.party?.length) return false;
  return facts.party === undefined || facts.party.every((m) => entry.party!.some((e) => e.sub === m.sub));
}

function isNewer(facts: { readonly issuedAt: number; readonly ticketId: string }, current: { readonly issuedAt: number; readonly ticketId: string }): boolean {
  if (facts.issuedAt !== current.issuedAt) return facts.issuedAt > current.issuedAt;
  return facts.ticketId > current.ticketId;
}
