// Forming matches on the tick: each served pool's waiting entries into matches, each match
// signed (a slice at a time), its members taken out of the pool and told. A small pool forms
// on the event loop; a big one is read into columns a slice at a time and formed on the
// formation thread, and its matches are settled a slice at a time, each checked against the
// queue as it is then.
import type { ModeRules } from '@ticketbooth/config';
import { signToken, toPasetoDate, type KeyRing, type Member, type Pool } from '@ticketbooth/tickets';
import { ColumnsBuilder, type Columns } from './columns.ts';
import { formMatches, formedMatch, type FormedMatch, type MatchRules } from './form-matches.ts';
import type { FormationThread } from './formation-thread.ts';
import type { Deliveries } from './deliveries.ts';
import { MAX_REGIONS } from './latency.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { MatchEvents } from './match-events.ts';
import type { MatchSigner } from './match-signing.ts';
import type { MatchmakerSettings } from './matchmaker.ts';
import type { FormedFigures, Observer } from './observer.ts';
import type { Queue, QueueEntry } from './pool.ts';
import type { MatchResult, Results } from './results.ts';
import type { WaitEstimates } from './wait-estimate.ts';

export interface ServedPool {
  readonly key: string;
  /** Without a region under a latency rule: each match is then placed in one. */
  readonly pool: { readonly mode: string; readonly region?: string };
  readonly rules: ModeRules;
  /** The mode's rules as formation reads them (with the config's regions for a latency rule). */
  readonly matchRules: MatchRules;
  matchesFormed: number;
}

export interface FormingDeps {
  readonly settings: MatchmakerSettings;
  readonly served: ReadonlyMap<string, ServedPool>;
  readonly matchKeys: KeyRing;
  readonly signer: MatchSigner;
  readonly queue: Queue;
  readonly results: Results;
  readonly events: MatchEvents;
  readonly deliveries: Deliveries;
  readonly lifecycle: Lifecycle;
  readonly observer: Observer;
  readonly waits: WaitEstimates;
  readonly newId: () => string;
  readonly now: () => number;
  /** Whether matches may be settled now (not warming up, not idle): asked again before each slice. */
  readonly mayForm: (at: number) => boolean;
  readonly thread: Pick<FormationThread, 'form'>;
  readonly log?: ((message: string, fields: Record<string, unknown>) => void) | undefined;
}

/** Players in a pool from which it forms on the formation thread (below, ~5 ms on the loop). */
export const THREAD_FROM_PLAYERS = 20_000;
/** The event loop's longest turn for reading a pool into columns or settling matches. */
const SLICE_MS = 3;
/** Matches settled in a slice at least, whatever the clock says: a small tick settles in one turn. */
const MIN_SLICE_MATCHES = 256;
const ENTRIES_PER_CLOCK_READ = 512;

export function createForming(deps: FormingDeps) {
  const { settings, served, matchKeys, signer, queue, results, events, deliveries, lifecycle, observer, waits, newId, now, thread } = deps;
  const threadFrom = settings.formOnThreadFrom ?? THREAD_FROM_PLAYERS;
  // Pools whose formation (or its settling) is still under way: one at a time per pool.
  const busy = new Map<string, Promise<void>>();
  let away: Promise<void> = Promise.resolve();
  // Per big pool, what its last formation allocated, for the next one to fill again.
  const snapshots = new Map<string, QueueEntry[]>();
  const spareColumns = new Map<string, Columns>();

  /**
   * Forms what each served pool can, now: returns how many matches were settled before it
   * returns (all of a small pool's, unless there are more than a slice holds).
   */
  function form(at: number): number {
    let formed = 0;
    for (const pool of served.values()) {
      if (busy.has(pool.key)) continue;
      const started = performance.now();
      if (queue.players(pool.key) < threadFrom) {
        const matches = formMatches(queue.snapshot(pool.key), pool.matchRules, at);
        const settling = settleInSlices(pool, matches, started);
        formed += settling.settledNow;
        if (settling.rest !== undefined) track(pool.key, settling.rest);
      } else {
        // One big pool after another: read slices, thread jobs and settling slices of several
        // would share each loop turn (four pools' 3 ms slices made 30 ms turns).
        const turn = away.then(() => formAway(pool));
        away = turn.catch(() => {});
        track(pool.key, turn);
      }
    }
    return formed;
  }

  function track(key: string, work: Promise<void>): void {
    const done = work.then(
      () => void busy.delete(key),
      (error: unknown) => {
        busy.delete(key);
        deps.log?.('forming failed', { pool: key, err: error });
      },
    );
    busy.set(key, done);
  }

  /** A big pool: read into columns between turns, formed on the thread, settled between turns. */
  async function formAway(pool: ServedPool): Promise<void> {
    // Not a slice of it inside the tick.
    await nextTurn();
    const at = now();
    const started = performance.now();
    const regions = pool.matchRules.latency === undefined ? [] : (pool.matchRules.regions ?? []).slice(0, MAX_REGIONS);
    const capacity = queue.players(pool.key);
    const builder = new ColumnsBuilder(pool.matchRules, regions, capacity, spareColumns.get(pool.key));
    spareColumns.delete(pool.key);
    // Kept from one formation to the next (in the large-object space): grown by push, its copies
    // filled the young generation (scavenges of ~20 ms), and a new one every tick the old one.
    let snapshot = snapshots.get(pool.key);
    if (snapshot === undefined || snapshot.length < capacity) snapshots.set(pool.key, (snapshot = new Array<QueueEntry>(capacity)));
    let count = 0;
    // The pool's Set, read across turns: entries that leave meanwhile are skipped or caught
    // when settling; entries that arrive meanwhile are read if the walk has not passed them.
    const reading = queue.entriesIn(pool.key)[Symbol.iterator]();
    for (let done = false; !done; ) {
      const until = performance.now() + SLICE_MS;
      do {
        for (let k = 0; k < ENTRIES_PER_CLOCK_READ; k++) {
          const next = reading.next();
          if (next.done === true) {
            done = true;
            break;
          }
          // Past `capacity` (arrivals during the read), the array grows.
          snapshot[count++] = next.value;
          builder.add(next.value);
        }
      } while (!done && performance.now() < until);
      if (!done) await nextTurn();
    }
    const { matches, columns } = await thread.form(builder.finish(), pool.matchRules, at);
    spareColumns.set(pool.key, columns);
    const formed = Array.from({ length: matches.count }, (_, j) => formedMatch(snapshot, matches, j, regions));
    // Entries gone from the queue are not held here until the next formation overwrites them.
    snapshot.fill(undefined as unknown as QueueEntry, 0, count);
    const settling = settleInSlices(pool, formed, started);
    await settling.rest;
  }

  /**
   * Settles matches a slice at a time, oldest anchor first: those of the first slice now, the
   * rest between turns, each only if every entry in it is still the one queued, and live.
   */
  function settleInSlices(pool: ServedPool, matches: readonly FormedMatch<QueueEntry>[], started: number): { settledNow: number; rest?: Promise<void> } {
    const figures: FormedFigures[] = [];
    let next = 0;
    const slice = (): number => {
      const at = now();
      if (!deps.mayForm(at)) {
        next = matches.length;
        return 0;
      }
      const until = performance.now() + SLICE_MS;
      let settled = 0;
      while (next < matches.length && (settled < MIN_SLICE_MATCHES || performance.now() < until)) {
        const match = matches[next++]!;
        if (!match.entries.every((entry) => queue.isLive(entry, at))) continue;
        figures.push(settle(pool, match, at));
        settled++;
      }
      return settled;
    };
    const finish = () => {
      const at = now();
      waits.record(pool.key, at, figures.flatMap((f) => f.waitsMs));
      observer.formed(pool.key, figures, (performance.now() - started) / 1000);
    };
    const settledNow = slice();
    if (next === matches.length) {
      finish();
      return { settledNow };
    }
    const rest = (async () => {
      while (next < matches.length) {
        await nextTurn();
        slice();
      }
      finish();
    })();
    return { settledNow, rest };
  }

  function settle(pool: ServedPool, formed: FormedMatch<QueueEntry>, at: number): FormedFigures {
    const id = newId();
    const teams: Member[][] = formed.teams;
    const key = matchKeys.signingKey();
    const acceptBy = pool.rules.accept === undefined ? undefined : at + pool.rules.accept.timeoutMs;
    const region = formed.region ?? pool.pool.region;
    if (region === undefined) throw new TypeError(`pool ${pool.key}: a match formed without a region`);
    const placed: Pool = { mode: pool.pool.mode, region };
    const claims = {
      iss: settings.matchIssuer,
      sub: id,
      aud: settings.shared.audiences.match,
      iat: toPasetoDate(at),
      exp: toPasetoDate(at + settings.matchTokenTtlMs),
      jti: id,
      pool: placed,
      teams,
      ...(acceptBy === undefined ? {} : { acceptBy: toPasetoDate(acceptBy) }),
    };
    const match = signer.add({ id, pool: placed, teams }, () => signToken(key, 'match', claims));
    const expiresAt = at + settings.resultTtlMs;
    if (lifecycle.tracks(acceptBy !== undefined)) {
      lifecycle.add({ match, queuedAt: at, expiresAt }, acceptBy, at + settings.matchTokenTtlMs, formed.entries);
    } else {
      // Before the pushes below: a push can be written (and count as delivered) in the same turn.
      deliveries.expect(id, teams.flat().map((m) => m.sub), at + settings.resultTtlMs);
    }
    for (const entry of formed.entries) {
      queue.remove(entry.sub);
      const result: MatchResult = { match, queuedAt: entry.queuedAt, expiresAt };
      results.set(entry.sub, result);
      events.publish(entry.sub, result);
      for (const member of entry.party ?? []) {
        results.set(member.sub, result);
        events.publish(member.sub, result);
      }
    }
    pool.matchesFormed++;
    return { waitsMs: formed.entries.map((entry) => Math.max(0, at - entry.queuedAt)), ratingSpread: formed.ratingSpread, imbalance: formed.imbalance };
  }

  return {
    form,
    /** Resolves once no formation is under way (benches, tests, shutdown). */
    idle: async (): Promise<void> => {
      while (busy.size > 0) await Promise.all(busy.values());
    },
    /** Pools with a formation under way. */
    busy: () => busy.size,
  };
}

/** setImmediate, not a microtask: sockets are read between two slices. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
