// Small figures helpers: medians, spreads and ratios the report prints.

/** Median of a non-empty list (the lower middle for an even count, a value that was measured). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new TypeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Half the range relative to the median: how much rounds disagreed. */
export function spread(values: readonly number[]): number {
  const m = median(values);
  return m === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / 2 / m;
}

/** Per-round ratios a/b, then their median: a slow spell hits both sides of a round alike. */
export function medianRatio(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new TypeError('rounds differ');
  return median(a.map((x, i) => x / b[i]!));
}
