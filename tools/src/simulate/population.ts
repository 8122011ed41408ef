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
  /**
   * Share of the crowd per mode, 0..1, for some of `modes`; the others split what is left
   * evenly. Absent: every mode alike.
   */
  readonly modeShares?: Readonly<Record<string, number>>;
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
  const pickMode = modePicker(options.modes, options.modeShares);
  return Array.from({ length: options.players }, (_, index) => ({
    index,
    username: `sim-${options.runId}-${index}`,
    rating: Math.round(Math.min(4000, Math.max(0, normal(random, options.ratingMean, options.ratingStdDev)))),
    mode: pickMode(random()),
    region: options.regions[Math.floor(random() * options.regions.length)]!,
    arrivesAtMs: Math.round(random() * options.rampMs),
  }));
}

/**
 * A mode for a uniform draw in [0, 1): by `shares` when given, else every mode alike (one draw
 * either way, so the rest of a seed's crowd does not move).
 */
export function modePicker(modes: readonly string[], shares: Readonly<Record<string, number>> | undefined): (draw: number) => string {
  if (modes.length === 0) throw new TypeError('no modes');
  if (shares === undefined || Object.keys(shares).length === 0) return (draw) => modes[Math.floor(draw * modes.length)]!;
  const unknown = Object.keys(shares).find((mode) => !modes.includes(mode));
  if (unknown !== undefined) throw new TypeError(`a share for ${unknown}, which is not among the modes (${modes.join(', ')})`);
  const given = Object.values(shares).reduce((sum, share) => sum + share, 0);
  const rest = modes.filter((mode) => !Object.hasOwn(shares, mode));
  if (given > 1 + 1e-9 || (rest.length === 0 && Math.abs(given - 1) > 1e-9)) throw new TypeError('mode shares must add up to at most 1 (exactly 1 when every mode has one)');
  const weights = modes.map((mode) => (Object.hasOwn(shares, mode) ? shares[mode]! : (1 - given) / rest.length));
  return (draw) => {
    let left = draw * weights.reduce((sum, w) => sum + w, 0);
    for (let i = 0; i < modes.length; i++) if ((left -= weights[i]!) < 0) return modes[i]!;
    return modes.findLast((_, i) => weights[i]! > 0)!;
  };
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
