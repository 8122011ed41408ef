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
 * given per entry (the token's `exp`), checked on read; and reads drop expired
 * entries in the order they were set, so the cache holds the tokens still alive
 * instead of filling to its bound with dead ones.
 */
export class ExpiringLru<V> {
  readonly #entries = new Map<string, Entry<V>>();
  // Every entry in the order it was set (parallel arrays, read from #head): a verifier's
  // tokens share one lifetime, so this is nearly the order in which they expire.
  #setKeys: string[] = [];
  #setEntries: Entry<V>[] = [];
  #head = 0;
  #evictions = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new TypeError('cache capacity must be a whole number >= 0');
  }

  /** The value for `key` if present and `now < expiresAt`. */
  get(key: string, now: number): V | undefined {
    this.#dropExpired(now);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (now >= entry.expiresAt) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    if (this.capacity === 0) return;
    const entry = { value, expiresAt };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#setKeys.push(key);
    this.#setEntries.push(entry);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
      this.#evictions++;
    }
    // Entries replaced or evicted leave their slots behind until they come up: bounded here.
    if (this.#setKeys.length - this.#head > 2 * this.capacity + 1024) this.#compact();
  }

  clear(): void {
    this.#entries.clear();
    this.#setKeys = [];
    this.#setEntries = [];
    this.#head = 0;
  }

  /**
   * Looks at a few of the oldest slots: a read leads to at most one set, so a few per read
   * keep ahead of it at constant cost. Stops at the first entry still alive.
   */
  #dropExpired(now: number): void {
    for (let i = 0; i < 4 && this.#head < this.#setKeys.length; i++) {
      const entry = this.#setEntries[this.#head]!;
      if (now < entry.expiresAt) break;
      const key = this.#setKeys[this.#head]!;
      this.#head++;
      // Only the entry this slot was set for: the key may have been set again since.
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#setKeys.length) this.#compact();
  }

  /** Drops the slots read past and those whose entry is no longer the key's. */
  #compact(): void {
    const keys: string[] = [];
    const entries: Entry<V>[] = [];
    for (let i = this.#head; i < this.#setKeys.length; i++) {
      const key = this.#setKeys[i]!;
      const entry = this.#setEntries[i]!;
      if (this.#entries.get(key) !== entry) continue;
      keys.push(key);
      entries.push(entry);
    }
    this.#setKeys = keys;
    this.#setEntries = entries;
    this.#head = 0;
  }

  stats(): CacheStats {
    return {
      evictions: this.#evictions,
      size: this.#entries.size,
      capacity: this.capacity,
    };
  }
}
