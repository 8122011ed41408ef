// A binary min-heap of items by due time: what comes due first pops first.

/**
 * Parallel arrays (due times in a number array, items beside them) keep a
 * million slots compact and the sift loops free of allocation.
 *
 * @example
 * const heap = new ExpiryHeap<string>(); heap.push('a', 10); heap.popDue(12) // 'a'
 */
export class ExpiryHeap<T> {
  readonly #due: number[] = [];
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(item: T, due: number): void {
    let i = this.#items.length;
    this.#items.push(item);
    this.#due.push(due);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#due[parent]! <= due) break;
      this.#due[i] = this.#due[parent]!;
      this.#items[i] = this.#items[parent]!;
      i = parent;
    }
    this.#due[i] = due;
    this.#items[i] = item;
  }

  /** Removes and returns the earliest item if it is due at `now`. */
  popDue(now: number): T | undefined {
    if (this.#items.length === 0 || this.#due[0]! > now) return undefined;
    const top = this.#items[0]!;
    const lastItem = this.#items.pop()!;
    const lastDue = this.#due.pop()!;
    const n = this.#items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && this.#due[right]! < this.#due[left]! ? right : left;
        if (this.#due[child]! >= lastDue) break;
        this.#due[i] = this.#due[child]!;
        this.#items[i] = this.#items[child]!;
        i = child;
      }
      this.#due[i] = lastDue;
      this.#items[i] = lastItem;
    }
    return top;
  }
}
