// formMatches time for one pool of N players: median of several ticks on the same snapshot.
import type { ModeRules } from '@ticketbooth/config';
import { formMatches, type Waiting } from '../src/form-matches.ts';

export interface TickFigure {
  readonly players: number;
  readonly mode: string;
  readonly medianMs: number;
  readonly matches: number;
}

/** Ratings roughly normal around 1500 (sd ~300), waits spread over the last minute. */
export function benchPool(players: number, now: number, seed = 1): Waiting[] {
  let state = seed >>> 0;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: players }, (_, i) => ({
    sub: `player-${i.toString().padStart(7, '0')}`,
    rating: Math.round(1500 + (random() + random() + random() + random() - 2) * 520),
    queuedAt: now - Math.floor(random() * 60_000),
    party: undefined,
  }));
}

export function timeTicks(players: number, mode: string, rules: ModeRules, rounds = 7): TickFigure {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const pool = benchPool(players, now);
  formMatches(pool, rules, now); // warm the JIT
  const samples: number[] = [];
  let matches = 0;
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    matches = formMatches(pool, rules, now).length;
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { players, mode, medianMs: samples[Math.floor(samples.length / 2)]!, matches };
}
