// The latency rule: which regions a player may play in, as a function of time waited, and where
// a match goes. Pure; the regions come from the tickets (the issuer checked them against config).
import type { ModeRules } from '@ticketbooth/config';

export type LatencyRule = NonNullable<ModeRules['latency']>;
export type Latencies = Readonly<Record<string, number>>;

/** A match's eligible regions are a 32-bit mask (config caps a latency mode's regions at 32). */
export const MAX_REGIONS = 32;

/**
 * Highest latency a player accepts after waiting `waitedMs`: `maxMs` at first, growing linearly
 * to `widenToMs` at `widenAfterMs`. From the signed `queuedAt`, so a restart widens as before.
 *
 * @example
 * latencyBound({ maxMs: 60, widenToMs: 150, widenAfterMs: 30_000 }, 15_000) // 105
 */
export function latencyBound(rule: LatencyRule, waitedMs: number): number {
  const waited = waitedMs > 0 ? waitedMs : 0;
  if (waited >= rule.widenAfterMs) return rule.widenToMs;
  return rule.maxMs + ((rule.widenToMs - rule.maxMs) * waited) / rule.widenAfterMs;
}

/** How long after `queuedAt` the bound reaches `latencyMs`; Infinity when it never does. */
export function waitUntilBound(rule: LatencyRule, latencyMs: number): number {
  if (latencyMs <= rule.maxMs) return 0;
  if (latencyMs > rule.widenToMs) return Infinity;
  return ((latencyMs - rule.maxMs) / (rule.widenToMs - rule.maxMs)) * rule.widenAfterMs;
}

/** Regions in a fixed (sorted) order, each a bit: the union of every ticket's latency keys, at most 32. */
export function regionOrder(groups: Iterable<{ readonly latencies?: Latencies | undefined }>): string[] {
  const names = new Set<string>();
  for (const group of groups) for (const region in group.latencies) names.add(region);
  return [...names].sort().slice(0, MAX_REGIONS);
}

/** Bit r set when the player's latency to `regions[r]` is within `bound`; 0 without latencies. */
export function eligibleMask(latencies: Latencies | undefined, regions: readonly string[], bound: number): number {
  if (latencies === undefined) return 0;
  let mask = 0;
  for (let r = 0; r < regions.length; r++) {
    const ms = latencies[regions[r]!];
    if (ms !== undefined && ms <= bound) mask |= 1 << r;
  }
  return mask;
}

/**
 * The region of `mask` with the lowest worst latency over the groups (ties: the first in
 * `regions` order), and that worst latency.
 */
export function placeMatch(groups: readonly { readonly latencies?: Latencies | undefined }[], regions: readonly string[], mask: number): { region: string; worstMs: number } | undefined {
  let best: { region: string; worstMs: number } | undefined;
  for (let r = 0; r < regions.length; r++) {
    if ((mask & (1 << r)) === 0) continue;
    let worst = 0;
    for (const group of groups) worst = Math.max(worst, group.latencies?.[regions[r]!] ?? Infinity);
    if (best === undefined || worst < best.worstMs) best = { region: regions[r]!, worstMs: worst };
  }
  return best;
}
