// Who the simulated players are: seeded, so two runs with the same seed queue the same crowd.
export interface SimPlayer {
  readonly index: number;
  readonly username: string;
  readonly rating: number;
  readonly mode: string;
  readonly region: string;
  /** Milliseconds after the start when this player begins queueing. */
  readonly arrivesAtMs: number;
}

export interface PopulationOptions {
  readonly players: number;
  readonly modes: readonly string[];
  readonly regions: readonly string[];
  readonly ratingMean: number;
  readonly ratingStdDev: number;
  readonly rampMs: number;
  readonly runId: string;
  readonly seed: number;
}

/** mulberry32: a tiny PRNG, enough for reproducible crowds. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Box-Muller: a normal sample from two uniform ones. */
export function normal(random: () => number, mean: number, stdDev: number): number {
  const u = 1 - random();
  const v = random();
  return mean + stdDev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function buildPopulation(options: PopulationOptions): SimPlayer[] {
  const random = seededRandom(options.seed);
  return Array.from({ length: options.players }, (_, index) => ({
    index,
    username: `sim-${options.runId}-${index}`,
    rating: Math.round(Math.min(4000, Math.max(0, normal(random, options.ratingMean, options.ratingStdDev)))),
    mode: options.modes[Math.floor(random() * options.modes.length)]!,
    region: options.regions[Math.floor(random() * options.regions.length)]!,
    arrivesAtMs: Math.round(random() * options.rampMs),
  }));
}
