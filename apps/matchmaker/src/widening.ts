// How far from their own rating a player accepts opponents, as a function of time waited.
import type { ModeRules } from '@ticketbooth/config';

/** A mode's window; `perUncertainty` absent is 0 (rules written before it, tests). */
export type RatingWindowRules = Omit<ModeRules['ratingWindow'], 'perUncertainty'> & { readonly perUncertainty?: number };

/**
 * Half-width of the rating window after waiting `waitedMs`: starts at
 * `initial` plus `perUncertainty` per point of the rating's uncertainty (the
 * ticket's sigma: a new player's window starts wider), grows by
 * `widenPerSecond`, never past `max`. The wait comes from the signed
 * `queuedAt`, so a restarted matchmaker widens exactly as before.
 *
 * @example
 * ratingWindow({ initial: 50, widenPerSecond: 10, max: 600, perUncertainty: 0.5 }, 30_000) // 350
 * ratingWindow({ initial: 50, widenPerSecond: 10, max: 600, perUncertainty: 0.5 }, 0, 500) // 300
 */
export function ratingWindow(rules: RatingWindowRules, waitedMs: number, uncertainty = 0): number {
  const waited = waitedMs > 0 ? waitedMs : 0;
  const width = startWidth(rules, uncertainty) + (rules.widenPerSecond * waited) / 1000;
  return width < rules.max ? width : rules.max;
}

/** The half-width a search starts with. */
export function startWidth(rules: RatingWindowRules, uncertainty = 0): number {
  return rules.initial + (rules.perUncertainty ?? 0) * uncertainty;
}

/** True when two ratings sit inside each other's window. */
export function isWithinWindows(ratingA: number, windowA: number, ratingB: number, windowB: number): boolean {
  const distance = Math.abs(ratingA - ratingB);
  return distance <= windowA && distance <= windowB;
}
