import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readBatch } from './read-batch.ts';

function recording(answer: (keys: readonly number[]) => Promise<readonly string[]> = async (keys) => keys.map((k) => `v${k}`)) {
  const calls: number[][] = [];
  const read = readBatch<number, string>(async (keys) => {
    calls.push([...keys]);
    return answer(keys);
  }, 3);
  return { calls, read };
}

describe('readBatch', () => {
  it('sends the keys asked in one turn as one read, and answers each its own value', async () => {
    const { calls, read } = recording();
    expect(await Promise.all([read(1), read(2), read(1)])).toEqual(['v1', 'v2', 'v1']);
    expect(calls).toEqual([[1, 2, 1]]);
  });

  it('sends keys asked in a later turn as a read of their own', async () => {
    const { calls, read } = recording();
    const first = read(1);
    await nextTurn();
    const second = read(2);
    expect(await Promise.all([first, second])).toEqual(['v1', 'v2']);
    expect(calls).toEqual([[1], [2]]);
  });

  it('splits a turn past the batch size', async () => {
    const { calls, read } = recording();
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7].map(read))).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
    expect(calls).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('reads each key of a failed batch again alone: a key the database refuses fails only itself', async () => {
    const { calls, read } = recording(async (keys) => {
      if (keys.includes(4)) throw new Error('invalid byte sequence');
      return keys.map((k) => `v${k}`);
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map(read));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual(['v1', 'v2', 'v3', 'invalid byte sequence', 'v5']);
    expect(calls).toEqual([[1, 2, 3], [4, 5], [4], [5]]);
  });

  it('fails every key when each read fails (the database is down), a read that throws before its promise and one that answers the wrong number of values alike', async () => {
    const down = readBatch<number, string>(async () => {
      throw new Error('connection refused');
    });
    const outcomes = await Promise.allSettled([down(1), down(2), down(3)]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'answered'))).toEqual(['connection refused', 'connection refused', 'connection refused']);
    const throwing = readBatch<number, string>(() => {
      throw new Error('bad statement');
    });
    await expect(Promise.all([throwing(1), throwing(2)])).rejects.toThrow('bad statement');
    const short = readBatch<number, string>(async () => ['only one']);
    const answers = await Promise.allSettled([short(1), short(2)]);
    // Alone, each key gets the one value back: only the batch's answer was short.
    expect(answers.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
  });
});
