// How long a search takes in a pool lately: the median time-to-match of the players matched in
// it over the last few minutes, answered to searching players as `estimatedWaitMs`.

const KEPT = 256;
const WINDOW_MS = 5 * 60_000;

/**
 * @example
 * const waits = new WaitEstimates();
 * waits.record('duel/eu', now, [1_200, 4_000]); // the waits of a tick's matched players
 * waits.estimate('duel/eu', now); // 2600, or null when nobody matched there lately
 */
export class WaitEstimates {
  /** Per pool, a ring of the latest waits with when they ended. */
  readonly #rings = new Map<string, { waits: Float64Array; at: Float64Array; next: number; size: number }>();
  /** The median, computed at most once per tick per pool: the hot path only reads it. */
  readonly #cached = new Map<string, { at: number; value: number | null }>();

  record(pool: string, at: number, waitsMs: readonly number[]): void {
    if (waitsMs.length === 0) return;
    let ring = this.#rings.get(pool);
    if (ring === undefined) this.#rings.set(pool, (ring = { waits: new Float64Array(KEPT), at: new Float64Array(KEPT), next: 0, size: 0 }));
    for (const wait of waitsMs) {
      ring.waits[ring.next] = wait;
      ring.at[ring.next] = at;
      ring.next = (ring.next + 1) % KEPT;
      ring.size = Math.min(KEPT, ring.size + 1);
    }
    this.#cached.delete(pool);
  }

  /** Median recent time-to-match in ms (of an even count, the lower middle one), or null when nobody was matched in the pool in the last five minutes. */
  estimate(pool: string, now: number): number | null {
    const cached = this.#cached.get(pool);
    if (cached !== undefined && now - cached.at < 1_000) return cached.value;
    const value = quantile(this.#recent(pool, now), 0.5);
    this.#cached.set(pool, { at: now, value });
    return value;
  }

  /** The median and 95th percentile of the same recent waits (null: nobody matched lately), for the dashboard. */
  quantiles(pool: string, now: number): { p50: number | null; p95: number | null } {
    const recent = this.#recent(pool, now);
    return { p50: quantile(recent, 0.5), p95: quantile(recent, 0.95) };
  }

  /** The waits recorded in the last five minutes, in order. */
  #recent(pool: string, now: number): number[] {
    const ring = this.#rings.get(pool);
    const recent: number[] = [];
    for (let i = 0; i < (ring?.size ?? 0); i++) if (now - ring!.at[i]! <= WINDOW_MS) recent.push(ring!.waits[i]!);
    return recent.sort((a, b) => a - b);
  }
}

/** The q-quantile of sorted values by the nearest rank below (of two middles, the lower), rounded; null when empty. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.ceil(q * sorted.length) - 1]!);
}
