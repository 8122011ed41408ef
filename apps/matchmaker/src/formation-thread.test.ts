// Forming on the formation thread: the same matches as on the event loop, and a match settled
// only if all its entries are still the ones queued when it is settled.
import { randomUUID } from 'node:crypto';
import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { KeyRing, createSigningKey, generateSeed } from '@ticketbooth/tickets';
import { afterAll, describe, expect, it } from 'vitest';
import { ColumnsBuilder } from './columns.ts';
import { formMatches, formOnColumns, type MatchRules, type Waiting } from './form-matches.ts';
import { FormationThread } from './formation-thread.ts';
import { createMatchmaker } from './matchmaker.ts';
import { Queue } from './pool.ts';
import type { MatchResult } from './results.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const rules: MatchRules = {
  teams: 2,
  teamSize: { min: 2, max: 4, shrinkAfterMs: 30_000 },
  ratingWindow: { initial: 100, widenPerSecond: 10, max: 600, perUncertainty: 0.5 },
  latency: { maxMs: 60, widenToMs: 150, widenAfterMs: 40_000 },
  regions: ['eu', 'na', 'sa'],
  attributes: { equal: ['build'], intersect: ['crossplay'] },
};

/** A seeded pool under every rule: parties, latencies, builds, crossplay sets, some new players' uncertainty. */
function mixedPool(n: number, seed: number): Waiting[] {
  let state = seed;
  const random = () => ((state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, (_, g) => {
    const size = random() < 0.7 ? 1 : 2 + Math.floor(random() * 3);
    const rating = 900 + Math.floor(random() * 1_200);
    return {
      sub: `g${g}`,
      rating,
      queuedAt: T0 - Math.floor(random() * 90_000),
      ...(random() < 0.3 ? { uncertainty: Math.floor(random() * 500) } : {}),
      ...(size > 1 ? { party: Array.from({ length: size - 1 }, (_, m) => ({ sub: `g${g}m${m}`, rating: rating + (m % 2 ? 40 : -40) })) } : {}),
      latencies: { eu: 5 + Math.floor(random() * 200), na: 5 + Math.floor(random() * 200), ...(random() < 0.5 ? { sa: 5 + Math.floor(random() * 200) } : {}) },
      attributes: { build: random() < 0.8 ? '1.5' : '1.4', crossplay: random() < 0.7 ? ['pc', 'any'] : ['ps5'] },
    };
  });
}

const thread = new FormationThread();
afterAll(() => thread.close());

describe('FormationThread', () => {
  it('forms on its thread exactly the matches formed on the event loop', async () => {
    const snapshot = mixedPool(3_000, 7);
    const build = () => {
      const builder = new ColumnsBuilder(rules, rules.regions!, 16);
      for (const entry of snapshot) builder.add(entry);
      return builder.finish();
    };
    const here = formOnColumns(build(), rules, T0);
    const { matches: there } = await thread.form(build(), rules, T0);
    expect(there.count).toBeGreaterThan(100);
    expect(there).toEqual(here);
    // And formMatches (the event loop's path for small pools) agrees with both.
    const formed = formMatches(snapshot, rules, T0);
    expect(formed.map((m) => m.entries.map((e) => e.sub))).toEqual(Array.from({ length: here.count }, (_, j) => [...here.entries.subarray(here.entryStart[j]!, here.entryStart[j + 1]!)].map((i) => snapshot[i]!.sub)));
  });

  it('gives the columns away and gets them back, for the next formation to fill again', async () => {
    const pool = mixedPool(500, 3);
    const builder = new ColumnsBuilder(rules, rules.regions!, 16);
    for (const entry of pool) builder.add(entry);
    const columns = builder.finish();
    const first = await thread.form(columns, rules, T0);
    expect(columns.queuedAt.length).toBe(0); // transferred: no longer readable here
    const again = new ColumnsBuilder(rules, rules.regions!, pool.length, first.columns);
    for (const entry of [...pool].reverse()) again.add(entry);
    const refilled = again.finish();
    expect(refilled.queuedAt.buffer).toBe(first.columns.queuedAt.buffer);
    const second = await thread.form(refilled, rules, T0);
    const subsOf = (m: typeof first.matches, snapshot: Waiting[]) => Array.from({ length: m.count }, (_, j) => [...m.entries.subarray(m.entryStart[j]!, m.entryStart[j + 1]!)].map((i) => snapshot[i]!.sub));
    expect(subsOf(second.matches, [...pool].reverse())).toEqual(subsOf(first.matches, pool));
  });
});

describe('a matchmaker forming a big pool on the thread', () => {
  const pool = 'duel/eu';
  /** `beforeForming` runs once the pool has been read, as the thread starts forming. */
  function matchmakerWith(players: number, beforeForming: () => void = () => {}) {
    const queue = new Queue({ staleAfterMs: 60_000 });
    let now = T0;
    const mm = createMatchmaker({
      queue,
      settings: {
        shared: parseSharedConfig(DEMO_CONFIG),
        pools: [pool],
        warmupMs: 0,
        staleAfterMs: 60_000,
        resultTtlMs: 60_000,
        matchTokenTtlMs: 600_000,
        maxPlayers: 1_000_000,
        verifierCacheSize: 100,
        matchIssuer: 'ticketbooth-matchmaker',
        formOnThreadFrom: 1_000,
      },
      ticketKeys: { ring: new KeyRing(), hasKeys: () => true, refetchForUnknownKid: async () => false },
      matchKeys: new KeyRing({ signing: createSigningKey(generateSeed()) }),
      now: () => now,
      newId: randomUUID,
      formationThread: {
        form: (columns, rules, at) => {
          beforeForming();
          return thread.form(columns, rules, at);
        },
        close: async () => {},
      },
    });
    for (let i = 0; i < players; i++) {
      queue.upsert(
        { sub: `p${i}`, pool, rating: 1_000 + (i % 500), queuedAt: T0 - 20_000, party: undefined, issuedAt: T0 - 1_000, expiresAt: T0 + 300_000, ticketId: `t${i}`, kid: 'k' },
        T0,
      );
    }
    // The warm-up needs a client heard from before it ends (an idle instance forms nothing).
    mm.startWarmup();
    return { mm, queue, advance: (ms: number) => (now += ms) };
  }

  it('settles after the tick; a player who left or came back with a new ticket meanwhile is in no match', async () => {
    // Once the pool is read, while the thread forms: p0..p9 leave, p10..p19 are queued again by newer tickets.
    const { mm, queue, advance } = matchmakerWith(4_000, () => {
      for (let i = 0; i < 10; i++) queue.remove(`p${i}`);
      for (let i = 10; i < 20; i++) {
        queue.upsert({ sub: `p${i}`, pool, rating: 1_000 + i, queuedAt: T0 - 20_000, party: undefined, issuedAt: T0, expiresAt: T0 + 300_000, ticketId: `new${i}`, kid: 'k' }, T0);
      }
    });
    advance(1);
    const matched = new Map<string, MatchResult>();
    for (let i = 0; i < 4_000; i++) mm.watch(`p${i}`, (result) => matched.set(`p${i}`, result));
    expect(mm.tick()).toBe(0); // on the thread: nothing settled yet
    await mm.formingIdle();
    for (let i = 0; i < 20; i++) expect(matched.has(`p${i}`)).toBe(false);
    // Everyone else found a partner (500 ratings, 8 players each, all in each other's window)
    // unless the partner the thread chose was one of those twenty.
    expect(matched.size).toBeGreaterThanOrEqual(4_000 - 40);
    for (const [sub, result] of matched) {
      const players = result.match.teams.flat().map((m) => m.sub);
      expect(players).toContain(sub);
      expect(queue.get(sub)).toBeUndefined();
    }
    // The stranded partners stay queued, and the newer tickets' entries too, for the next tick.
    expect(queue.players(pool)).toBe(4_000 - matched.size - 10);
    // Now a small pool: formed and settled on the event loop, within the tick.
    expect(mm.tick()).toBeGreaterThan(0);
    expect(queue.players(pool)).toBeLessThanOrEqual(1);
    await mm.close();
  });

  it('starts no second formation of a pool while one is under way', async () => {
    const { mm, advance } = matchmakerWith(2_000);
    advance(1);
    mm.tick();
    mm.tick();
    await mm.formingIdle();
    expect(mm.playersIn(pool)).toBe(0);
    await mm.close();
  });
});
