// formMatches time for one pool of N players: median of several ticks on the same snapshot.
import { teamSizeOf, type ModeRules } from '@ticketbooth/config';
import { formMatches, type Waiting } from '../src/form-matches.ts';

export interface TickFigure {
  readonly players: number;
  readonly mode: string;
  readonly medianMs: number;
  readonly matches: number;
}

/** Round-trip ms between regions: a plausible map for the latency rule's bench pool. */
export const REGION_MS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  eu: { eu: 0, na: 90, sa: 190, asia: 160 },
  na: { eu: 90, na: 0, sa: 120, asia: 150 },
  sa: { eu: 190, na: 120, sa: 0, asia: 280 },
  asia: { eu: 160, na: 150, sa: 280, asia: 0 },
};
const BENCH_REGIONS = Object.keys(REGION_MS);

/**
 * Ratings roughly normal around 1500 (sd ~300), waits spread over the last minute. With
 * `partyShare`, about that share of the players are in parties of 2 to `maxParty` (a party's
 * members near its leader's rating): the same number of players, fewer entries. With
 * `latencies`, each entry has a home region (eu 40 %, na 30 %, asia 20 %, sa 10 %) 10-40 ms
 * away and the others at REGION_MS plus jitter.
 */
export function benchPool(players: number, now: number, seed = 1, partyShare = 0, maxParty = 4, latencies = false): Waiting[] {
  let state = seed >>> 0;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const latencyMap = (): Record<string, number> => {
    const r = random();
    const home = r < 0.4 ? 'eu' : r < 0.7 ? 'na' : r < 0.9 ? 'asia' : 'sa';
    const base = 10 + Math.floor(random() * 30);
    return Object.fromEntries(BENCH_REGIONS.map((region) => [region, base + REGION_MS[home]![region]! + (region === home ? 0 : Math.floor(random() * 20))]));
  };
  const rating = () => Math.round(1500 + (random() + random() + random() + random() - 2) * 520);
  const pool: Waiting[] = [];
  let inParties = 0;
  for (let i = 0; i < players; ) {
    const size = inParties < players * partyShare ? Math.min(players - i, 2 + Math.floor(random() * (maxParty - 1))) : 1;
    const leader = rating();
    const party = Array.from({ length: size - 1 }, (_, m) => ({ sub: `player-${(i + m + 1).toString().padStart(7, '0')}`, rating: leader + Math.round((random() - 0.5) * 200) }));
    const queuedAt = now - Math.floor(random() * 60_000);
    pool.push({ sub: `player-${i.toString().padStart(7, '0')}`, rating: leader, queuedAt, party: size > 1 ? party : undefined, ...(latencies ? { latencies: latencyMap() } : {}) });
    if (size > 1) inParties += size;
    i += size;
  }
  return pool;
}

export interface TickVariant {
  readonly mode: string;
  readonly rules: ModeRules;
  readonly partyShare?: number;
}

/**
 * Median formMatches time per variant on pools of `players`, the variants' ticks interleaved
 * round by round, so that a noisy neighbour slows them alike and their ratio holds.
 */
export function timeTicksInterleaved(players: number, variants: readonly TickVariant[], rounds = 7): TickFigure[] {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const prepared = variants.map(({ mode, rules: modeRules, partyShare = 0 }) => {
    // As the matchmaker passes them: the config's regions with a latency rule.
    const rules = modeRules.latency === undefined ? modeRules : { ...modeRules, regions: BENCH_REGIONS };
    const pool = benchPool(players, now, 1, partyShare, teamSizeOf(rules).max, rules.latency !== undefined);
    formMatches(pool, rules, now); // warm the JIT
    return { mode, rules, pool, samples: [] as number[], matches: 0 };
  });
  for (let r = 0; r < rounds; r++) {
    for (const variant of prepared) {
      const started = performance.now();
      variant.matches = formMatches(variant.pool, variant.rules, now).length;
      variant.samples.push(performance.now() - started);
    }
  }
  return prepared.map(({ mode, samples, matches }) => {
    samples.sort((a, b) => a - b);
    return { players, mode, medianMs: samples[Math.floor(samples.length / 2)]!, matches };
  });
}

export function timeTicks(players: number, mode: string, rules: ModeRules, rounds = 7, partyShare = 0): TickFigure {
  return timeTicksInterleaved(players, [{ mode, rules, partyShare }], rounds)[0]!;
}
