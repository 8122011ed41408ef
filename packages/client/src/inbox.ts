// What arrives between two requests of the queue loop (pushes, answers to the player's choice),
// waking the loop's wait so it is taken at once instead of at the next resubmission.

export class Inbox<T> {
  #items: T[] = [];
  #wake: (() => void) | undefined;

  post(item: T): void {
    this.#items.push(item);
    this.#wake?.();
  }

  /** Everything that arrived, oldest first, emptying the inbox. */
  take(): T[] {
    return this.#items.splice(0);
  }

  /** Waits `ms`, or less when something arrives; rejects with the signal's reason when it aborts. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#items.length > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#wake = undefined;
      };
      const onAbort = () => {
        finish();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => (finish(), resolve()), ms);
      this.#wake = () => (finish(), resolve());
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
