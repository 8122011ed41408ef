// Who is listening for whose match: the push side of match delivery (SSE).
import type { MatchResult } from './results.ts';

export type MatchListener = (result: MatchResult) => void;

/** Listeners by player; a listener hears at most one match and is then dropped. */
export class MatchEvents {
  readonly #listeners = new Map<string, Set<MatchListener>>();
  #count = 0;

  constructor(readonly maxListeners: number) {}

  /** Returns an unsubscribe function, or undefined when at the listener limit. */
  subscribe(sub: string, listener: MatchListener): (() => void) | undefined {
    if (this.#count >= this.maxListeners) return undefined;
    let set = this.#listeners.get(sub);
    if (set === undefined) this.#listeners.set(sub, (set = new Set()));
    set.add(listener);
    this.#count++;
    return () => {
      if (set.delete(listener)) this.#count--;
      if (set.size === 0 && this.#listeners.get(sub) === set) this.#listeners.delete(sub);
    };
  }

  publish(sub: string, result: MatchResult): void {
    const set = this.#listeners.get(sub);
    if (set === undefined) return;
    this.#listeners.delete(sub);
    this.#count -= set.size;
    const heard = [...set];
    // Emptied first: the streams unsubscribe after hearing, and must not be counted off twice.
    set.clear();
    for (const listener of heard) listener(result);
  }

  get size(): number {
    return this.#count;
  }
}
