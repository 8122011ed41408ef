// Which members of each match have not been answered with it yet. A member holding a match
// presents it again only until every member has heard of it: from then on a crash can no
// longer split the match, and the presentations would be load for nothing.

/**
 * @example
 * deliveries.expect('m1', ['alice', 'bob'], now + resultTtlMs);
 * deliveries.answered('m1', 'alice'); deliveries.isComplete('m1'); // false: bob has not heard
 */
export class Deliveries {
  // Only matches with members still to answer: normally those formed in the last interval.
  readonly #pending = new Map<string, { readonly subs: Set<string>; readonly until: number }>();

  /** A match formed or rebuilt: `subs` have not been answered with it yet. Forgotten at `until`. */
  expect(matchId: string, subs: Iterable<string>, until: number): void {
    const pending = new Set(subs);
    if (pending.size > 0) this.#pending.set(matchId, { subs: pending, until });
  }

  /** `sub` was answered with the match: a resubmission, the push, or its own presentation. */
  answered(matchId: string, sub: string): void {
    const pending = this.#pending.get(matchId);
    if (pending === undefined) return;
    pending.subs.delete(sub);
    if (pending.subs.size === 0) this.#pending.delete(matchId);
  }

  /** True once every member has been answered with the match (or it is no longer followed). */
  isComplete(matchId: string): boolean {
    return !this.#pending.has(matchId);
  }

  /** Stops following matches past `until`: members who never came back are not waited for. */
  expire(now: number): void {
    for (const [matchId, { until }] of this.#pending) if (until <= now) this.#pending.delete(matchId);
  }

  get size(): number {
    return this.#pending.size;
  }
}
