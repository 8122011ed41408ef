// What simulated players measure to each region: a short hop at home, the backbone between
// regions on top of that, with jitter. Seeded by the caller's random source.

/** Round trips between regions' data centres (ms), roughly what public cloud backbones give. */
export const INTER_REGION_MS: Readonly<Record<string, number>> = {
  'eu/na': 90,
  'eu/sa': 190,
  'eu/asia': 160,
  'na/sa': 120,
  'na/asia': 150,
  'sa/asia': 280,
};

/** Between two regions the table does not know (names from another config). */
export const UNKNOWN_PAIR_MS = 150;

export const HOME_MS = { min: 10, max: 40 } as const;

/** ± this share of the backbone round trip, per player and region. */
export const JITTER = 0.1;

/** The backbone round trip between two regions: 0 within one. */
export function interRegionMs(a: string, b: string): number {
  if (a === b) return 0;
  return INTER_REGION_MS[`${a}/${b}`] ?? INTER_REGION_MS[`${b}/${a}`] ?? UNKNOWN_PAIR_MS;
}

/**
 * A player's measured round trip to every region: `HOME_MS` at home, and elsewhere that last
 * mile plus the backbone to the other region, ±`JITTER`. Whole milliseconds, as tickets carry.
 *
 * @example
 * latencyMap('eu', ['eu', 'na'], seededRandom(1)) // { eu: 23, na: 117 }
 */
export function latencyMap(home: string, regions: readonly string[], random: () => number): Record<string, number> {
  const lastMile = HOME_MS.min + random() * (HOME_MS.max - HOME_MS.min);
  const map: Record<string, number> = {};
  for (const region of regions) {
    const backbone = interRegionMs(home, region) * (1 + JITTER * (2 * random() - 1));
    map[region] = Math.round(lastMile + backbone);
  }
  return map;
}

/** The highest latency any of `players` has to `region` (Infinity when one has none there). */
export function worstLatency(players: ReadonlyArray<{ readonly latencies: Readonly<Record<string, number>> }>, region: string): number {
  let worst = 0;
  for (const p of players) worst = Math.max(worst, p.latencies[region] ?? Infinity);
  return worst;
}
