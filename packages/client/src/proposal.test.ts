import { describe, expect, it } from 'vitest';
import { askPlayer, autoAccept } from './proposal.ts';

const match = { id: 'm-1', pool: { mode: 'duel', region: 'eu' }, teams: [], token: 'v4.public.x' };
const at = Date.parse('2026-01-01T00:00:00.000Z');
const now = () => at;
const inMs = (ms: number) => new Date(at + ms).toISOString();

describe('askPlayer', () => {
  it("passes on the player's yes or no, sync or async, with the match and its deadline", async () => {
    const asked: unknown[] = [];
    expect(await askPlayer((m, by) => (asked.push([m.id, by]), false), match, inMs(1_000), now)).toBe(false);
    expect(await askPlayer(async () => true, match, inMs(1_000), now)).toBe(true);
    expect(await askPlayer(autoAccept, match, inMs(1_000), now)).toBe(true);
    expect(asked).toEqual([['m-1', inMs(1_000)]]);
  });

  it('is no answer when confirm throws, answers no boolean, outlives the deadline, or the deadline is past', async () => {
    const started = Date.now();
    expect(await askPlayer(() => new Promise<boolean>((resolve) => setTimeout(resolve, 1_000, true)), match, inMs(50), now)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(900);
    expect(await askPlayer(() => { throw new Error('ui gone'); }, match, inMs(1_000), now)).toBeUndefined();
    expect(await askPlayer(() => Promise.reject(new Error('ui gone')), match, inMs(1_000), now)).toBeUndefined();
    expect(await askPlayer(() => 'yes' as unknown as boolean, match, inMs(1_000), now)).toBeUndefined();
    let asked = false;
    expect(await askPlayer(() => (asked = true), match, inMs(0), now)).toBeUndefined();
    expect(asked).toBe(false);
  });
});
