// Attribute rules: players of a match share every `equal` attribute, and the values of every
// `intersect` set attribute have one in common. Pure.
import type { Attributes } from '@ticketbooth/tickets';

export interface AttributeRules {
  readonly equal: readonly string[];
  readonly intersect: readonly string[];
}

type WithAttributes = { readonly attributes?: Attributes | undefined };

/**
 * Set attributes become AND-able masks (columns.ts): bit v for a value, MISSING_BIT for a group
 * without the attribute, which thus only meets others without it. A match is allowed while
 * the AND over its groups of each mask stays non-zero.
 */
export const MISSING_BIT = 1 << 31;

/** Whether two groups may share a match under the rules (for an explanation, not the hot path). */
export function attributesAgree(a: WithAttributes, b: WithAttributes, rules: AttributeRules): boolean {
  for (const name of rules.equal) if (JSON.stringify(a.attributes?.[name] ?? null) !== JSON.stringify(b.attributes?.[name] ?? null)) return false;
  for (const name of rules.intersect) {
    const x = a.attributes?.[name];
    const y = b.attributes?.[name];
    if (x === undefined || y === undefined) {
      if (x !== y) return false;
      continue;
    }
    const mine = new Set(asSet(x));
    if (!asSet(y).some((v) => mine.has(v))) return false;
  }
  return true;
}

export function asSet(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}
