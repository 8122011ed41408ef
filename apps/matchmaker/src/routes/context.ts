// What the HTTP routes share: the matchmaker's narrow surface, and what belongs to HTTP alone
// (the refusal budget per address and connection, metrics, the clock for Retry-After).
import type { Matchmaker } from '../matchmaker.ts';
import type { Metrics } from '../metrics.ts';
import type { RefusalBudget } from '../refusal-budget.ts';

export interface RouteContext {
  readonly mm: Matchmaker;
  readonly refusals: RefusalBudget;
  /** Proxies in front appending to X-Forwarded-For: the client address is read through them. */
  readonly trustedProxyHops: number;
  readonly metrics: Metrics;
  /** The pace clients are told to resubmit at, and the ping interval of a stream. */
  readonly resubmitIntervalMs: number;
  /** The pools served, `mode/region`. */
  readonly pools: readonly string[];
  readonly now: () => number;
  readonly log?: ((error: unknown) => void) | undefined;
}
