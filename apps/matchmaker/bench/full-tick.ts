// Players matched per second of tick CPU: the whole tick on one pool of N queued players (the
// worst tick: nearly everyone matchable), from the tick's start until every match is settled
// and its token signed, timed as the process's CPU (all threads: the formation thread's and
// the thread pool's signatures count) and as wall time. One pool filled directly, a fresh
// matchmaker per round, the median of `rounds` after one for the JIT.
import { randomUUID } from 'node:crypto';
import { KeyRing, createSigningKey, generateSeed } from '@ticketbooth/tickets';
import type { createMatchmaker as CreateMatchmaker } from '../src/matchmaker.ts';
import type { Queue as QueueClass } from '../src/pool.ts';
import { FormationThread } from '../src/formation-thread.ts';
import { benchSettings } from './bench-support.ts';
import { benchPool } from './form-matches.ts';

export interface FullTickFigure {
  readonly players: number;
  readonly pool: string;
  readonly matched: number;
  readonly cpuS: number;
  readonly wallS: number;
  readonly matchedPerCpuSecond: number;
}

/** The matchmaker's source to time: this one, or a copy of another commit's (a before/after). */
export interface TickSource {
  readonly createMatchmaker: typeof CreateMatchmaker;
  readonly Queue: typeof QueueClass;
}

export async function loadTickSource(dir = '../src'): Promise<TickSource> {
  const { createMatchmaker } = (await import(`${dir}/matchmaker.ts`)) as { createMatchmaker: typeof CreateMatchmaker };
  const { Queue } = (await import(`${dir}/pool.ts`)) as { Queue: typeof QueueClass };
  return { createMatchmaker, Queue };
}

export async function timeFullTick(source: TickSource, players: number, pool: string, rounds = 3): Promise<FullTickFigure> {
  const now = Date.parse('2030-01-01T00:00:00Z');
  // One formation thread for every round, as a process has: starting one (from source, with
  // its loader) costs more CPU than the formation itself. A source without one ignores it.
  const thread = new FormationThread();
  const waiting = benchPool(players, now);
  const samples: Omit<FullTickFigure, 'players' | 'pool' | 'matchedPerCpuSecond'>[] = [];
  for (let r = 0; r <= rounds; r++) {
    const queue = new source.Queue({ staleAfterMs: 3_600_000 });
    const mm = source.createMatchmaker({
      queue,
      settings: { ...benchSettings(), pools: [pool], warmupMs: 0 },
      ticketKeys: { ring: new KeyRing(), hasKeys: () => true, refetchForUnknownKid: async () => false },
      matchKeys: new KeyRing({ signing: createSigningKey(generateSeed()) }),
      now: () => now,
      newId: randomUUID,
      formationThread: { form: (columns, rules, at) => thread.form(columns, rules, at), close: async () => {} },
    });
    waiting.forEach((w, i) =>
      queue.upsert({ sub: w.sub, pool, rating: w.rating, queuedAt: w.queuedAt, party: undefined, issuedAt: now - 1_000, expiresAt: now + 300_000, ticketId: `t${i}`, kid: 'k' }, now),
    );
    (globalThis as { gc?: () => void }).gc?.();
    const cpu = process.cpuUsage();
    const started = performance.now();
    mm.tick();
    // Absent from sources before the formation thread: their tick settled inside the call.
    await (mm as { formingIdle?: () => Promise<void> }).formingIdle?.();
    await mm.signing.idle();
    const used = process.cpuUsage(cpu);
    if (r > 0) samples.push({ cpuS: (used.user + used.system) / 1e6, wallS: (performance.now() - started) / 1000, matched: players - queue.players() });
    await (mm as { close?: () => Promise<void> }).close?.();
  }
  await thread.close();
  samples.sort((a, b) => a.cpuS - b.cpuS);
  const median = samples[Math.floor(samples.length / 2)]!;
  return { players, pool, ...median, matchedPerCpuSecond: median.matched / median.cpuS };
}
