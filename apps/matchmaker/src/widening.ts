// How far from their own rating a player accepts opponents, as a function of time waited.
import type { ModeRules } from '@ticketbooth/config';

export type RatingWindowRules = ModeRules['ratingWindow'];

/**
 * Half-width of the rating window after waiting `waitedMs`: starts at
 * `initial`, grows by `widenPerSecond`, never past `max`. The wait comes from
 * the signed `queuedAt`, so a restarted matchmaker widens exactly as before.
 *
 * @example
 * ratingWindow({ initial: 50, widenPerSecond: 10, max: 600 }, 30_000) // 350
 */
export function ratingWindow(rules: RatingWindowRules, waitedMs: number): number {
  const waited = waitedMs > 0 ? waitedMs : 0;
  const width = rules.initial + (rules.widenPerSecond * waited) / 1000;
  return width < rules.max ? width : rules.max;
}

/** True when two ratings sit inside each other's window. */
export function isWithinWindows(ratingA: number, windowA: number, ratingB: number, windowB: number): boolean {
  const distance = Math.abs(ratingA - ratingB);
  return distance <= windowA && distance <= windowB;
}
