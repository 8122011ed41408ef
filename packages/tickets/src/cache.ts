// Bounded LRU of verification results keyed by the exact token string.

export interface CacheStats {
  readonly evictions: number;
  readonly size: number;
  readonly capacity: number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/**
 * Map-backed LRU: a Map iterates in insertion order, so re-inserting on a hit
 * keeps the least recently used entry first. Entries also expire at a time
 * given per entry (the token's `exp`), checked on read.
 */
export class ExpiringLru<V> {
  readonly #entries = new Map<string, Entry<V>>();
  #evictions = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new TypeError('cache capacity must be a whole number >= 0');
  }

  /** The value for `key` if present and `now < expiresAt`. */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (now >= entry.expiresAt) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    if (this.capacity === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt });
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
      this.#evictions++;
    }
  }

  clear(): void {
    this.#entries.clear();
  }

  stats(): CacheStats {
    return {
      evictions: this.#evictions,
      size: this.#entries.size,
      capacity: this.capacity,
    };
  }
}
