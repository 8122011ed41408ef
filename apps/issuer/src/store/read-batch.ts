// Reads that arrive in one turn of the event loop go to the database as one query.
//
// Under load, the requests one turn reads from its sockets each want the same point read (the
// ticket request's user and rating). Sent one by one, each pays a round trip, a pooled
// connection and the server's own per-statement work; sent together, they pay those once.
// A read is never delayed past the end of the turn it was asked in, so a lone request waits
// for nothing, and every read still starts after it was asked: a ban committed before a
// request arrived is seen by that request.

interface Waiting<K, V> {
  readonly key: K;
  readonly resolve: (value: V) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * `read` answers a list of keys with one value per key, in order, now or later (an embedded
 * database answers at once). When a read of several keys fails, each key is read again alone,
 * so a key the database refuses fails only the request that asked for it.
 */
export function readBatch<K, V>(read: (keys: readonly K[]) => readonly V[] | Promise<readonly V[]>, maxKeys = 64): (key: K) => Promise<V> {
  let waiting: Waiting<K, V>[] = [];

  function send(part: readonly Waiting<K, V>[]): void {
    Promise.resolve(part.map((w) => w.key))
      .then(read)
      .then((values) => {
        if (values.length !== part.length) throw new Error(`batched read answered ${values.length} values for ${part.length} keys`);
        part.forEach((w, i) => w.resolve(values[i]!));
      })
      .catch((error: unknown) => {
        if (part.length === 1) return part[0]!.reject(error);
        // One key the database refuses must not fail the others asked with it: each is read
        // again alone, and only its own read decides.
        for (const w of part) send([w]);
      });
  }

  function flush(): void {
    const batch = waiting;
    waiting = [];
    for (let i = 0; i < batch.length; i += maxKeys) send(batch.slice(i, i + maxKeys));
  }

  return (key) =>
    new Promise<V>((resolve, reject) => {
      // setImmediate runs after the poll phase: every request read from the sockets this turn
      // has asked by then (their handlers run to their first await on a store read).
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ key, resolve, reject });
    });
}
