// Who the simulated players are: seeded, so two runs with the same seed queue the same crowd.
export interface SimPlayer {
  readonly index: number;
  readonly username: string;
  readonly rating: number;
  readonly mode: string;
  readonly region: string;
  /** Milliseconds after the start when this player begins queueing. */
  readonly arrivesAtMs: number;
  /** The party this player queues with: its number, and whether this player leads it. */
  readonly party?: { readonly id: number; readonly leader: boolean; readonly size: number };
}

export interface PartyOptions {
  /** Share of players in parties, 0..1. */
  readonly share: number;
  readonly minSize: number;
  readonly maxSize: number;
  /** The largest party a mode takes (its team size); 1: none. */
  readonly maxPartySize: (mode: string) => number;
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

/**
 * Groups players into parties until about `share` of them are in one: a leader and the next
 * players of the same mode and region (the crowd is already shuffled by the seed), each party's
 * size drawn within min..max and the mode's cap. Members take the leader's arrival time: a
 * party queues together.
 */
export function formParties(players: readonly SimPlayer[], options: PartyOptions, seed: number): SimPlayer[] {
  const random = seededRandom(seed ^ 0x5bd1e995);
  const out = [...players];
  const free = new Map<string, number[]>();
  for (const p of players) {
    const key = `${p.mode}/${p.region}`;
    free.set(key, [...(free.get(key) ?? []), p.index]);
  }
  const target = Math.floor(players.length * options.share);
  let inParties = 0;
  let nextId = 0;
  for (const leader of players) {
    if (inParties >= target) break;
    if (out[leader.index]!.party !== undefined) continue;
    const cap = Math.min(options.maxSize, options.maxPartySize(leader.mode));
    if (cap < 2 || cap < options.minSize) continue;
    const size = Math.min(cap, options.minSize + Math.floor(random() * (options.maxSize - options.minSize + 1)), target - inParties);
    const pool = free.get(`${leader.mode}/${leader.region}`)!.filter((i) => i !== leader.index && out[i]!.party === undefined);
    if (size < 2 || pool.length < size - 1) continue;
    const id = nextId++;
    const members = [leader.index, ...pool.slice(0, size - 1)];
    members.forEach((i, n) => {
      out[i] = { ...out[i]!, arrivesAtMs: leader.arrivesAtMs, party: { id, leader: n === 0, size } };
    });
    inParties += size;
  }
  return out;
}
