// Attribute rules: players of a match share every `equal` attribute, and the values of every
// `intersect` set attribute have one in common. Pure.
import type { Attributes } from '@ticketbooth/tickets';

export interface AttributeRules {
  readonly equal: readonly string[];
  readonly intersect: readonly string[];
}

type WithAttributes = { readonly attributes?: Attributes | undefined };

/** The bit for "no value": a ticket without the attribute only meets others without it. */
const MISSING_BIT = 1 << 31;

/**
 * Splits groups into partitions whose `equal` attributes agree (a missing attribute is a value of
 * its own), in a fixed order of partition keys so that formation stays deterministic.
 */
export function partitionByEqual<T extends WithAttributes>(groups: readonly T[], equal: readonly string[]): T[][] {
  if (equal.length === 0) return [groups as T[]];
  const parts = new Map<string, T[]>();
  for (const group of groups) {
    const key = JSON.stringify(equal.map((name) => group.attributes?.[name] ?? null));
    let part = parts.get(key);
    if (part === undefined) parts.set(key, (part = []));
    part.push(group);
  }
  return [...parts.keys()].sort().map((key) => parts.get(key)!);
}

/**
 * Per group, the AND-able masks of its `intersect` sets: bit v for the v-th value seen in the
 * pool (sorted, at most 31: config caps an allow-list there), MISSING_BIT when it has none.
 * A match is allowed while the AND over its groups of each mask stays non-zero.
 */
export function setMasks(groups: readonly WithAttributes[], intersect: readonly string[]): Int32Array[] {
  return intersect.map((name) => {
    const values = new Set<string>();
    for (const group of groups) for (const value of asSet(group.attributes?.[name])) values.add(value);
    const bit = new Map([...values].sort().slice(0, 31).map((value, i) => [value, 1 << i] as const));
    const masks = new Int32Array(groups.length);
    groups.forEach((group, i) => {
      const own = group.attributes?.[name];
      if (own === undefined) masks[i] = MISSING_BIT;
      else for (const value of asSet(own)) masks[i]! |= bit.get(value) ?? 0;
    });
    return masks;
  });
}

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

function asSet(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}
