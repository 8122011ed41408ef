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

/**
 * A latency a group has no figure for, in the latency table of the columns (columns.ts: every
 * group's latency to every region, whole ms up to the 60,000 a ticket may claim).
 */
export const NO_FIGURE = 65_535;

/** Bit r set when row `group` of the table is within `bound` at region r. */
export function maskOf(table: Uint16Array, width: number, group: number, bound: number): number {
  let mask = 0;
  for (let r = 0; r < width; r++) {
    const ms = table[group * width + r]!;
    if (ms !== NO_FIGURE && ms <= bound) mask |= 1 << r;
  }
  return mask;
}

/**
 * Over table rows `chosen[0..count)`, the region of `mask` with the lowest worst latency: its
 * index and that latency, or undefined for an empty mask.
 */
export function placeByTable(table: Uint16Array, width: number, chosen: Int32Array, count: number, mask: number): [region: number, worstMs: number] | undefined {
  let best = -1;
  let bestWorst = Infinity;
  for (let r = 0; r < width; r++) {
    if ((mask & (1 << r)) === 0) continue;
    let worst = 0;
    for (let k = 0; k < count; k++) {
      const ms = table[chosen[k]! * width + r]!;
      if (ms > worst) worst = ms;
    }
    if (best === -1 || worst < bestWorst) {
      best = r;
      bestWorst = worst;
    }
  }
  return best === -1 ? undefined : [best, bestWorst];
}
