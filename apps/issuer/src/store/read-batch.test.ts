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

  it('fails every key of a failed read, and only those', async () => {
    const { read } = recording(async (keys) => {
      if (keys.includes(4)) throw new Error('connection lost');
      return keys.map((k) => `v${k}`);
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map(read));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual(['v1', 'v2', 'v3', 'connection lost', 'connection lost']);
  });

  it('fails the batch when a read throws before its promise, or answers the wrong number of values', async () => {
    const throwing = readBatch<number, string>(() => {
      throw new Error('bad statement');
    });
    await expect(Promise.all([throwing(1), throwing(2)])).rejects.toThrow('bad statement');
    const short = readBatch<number, string>(async () => ['only one']);
    const outcomes = await Promise.allSettled([short(1), short(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});
