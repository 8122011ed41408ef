import { publicKeySetSchema } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { T0, createHarness } from '../../test/support.ts';

describe('GET /v1/pools', () => {
  it('reports per pool the players queued, the oldest wait and the matches formed', async () => {
    const h = createHarness({ warmupMs: 0 });
    await h.submit(h.ticket('alice', { queuedAt: T0 - 4_000 }));
    await h.submit(h.ticket('bob', { queuedAt: T0 - 1_000 }));
    await h.submit(h.ticket('carol', { mode: 'squad', party: [{ sub: 'dave', rating: 1400 }] }));
    h.advance(1_000);
    const before = await h.app.request('/v1/pools');
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await before.json()).toEqual({
      warmingUp: false,
      pools: [
        { pool: 'duel/eu', mode: 'duel', region: 'eu', players: 2, oldestWaitMs: 5_000, matchesFormed: 0 },
        { pool: 'squad/eu', mode: 'squad', region: 'eu', players: 2, oldestWaitMs: 1_000, matchesFormed: 0 },
      ],
    });
    h.matchmaker.tick();
    const after = (await (await h.app.request('/v1/pools')).json()) as { pools: { players: number; oldestWaitMs: number | null; matchesFormed: number }[] };
    expect(after.pools[0]).toMatchObject({ players: 0, oldestWaitMs: null, matchesFormed: 1 });
  });
  it('scans a pool for its oldest wait at most once a second, and says null at once when it empties', async () => {
    const h = createHarness({ warmupMs: 0 });
    const oldestWait = async () => ((await (await h.app.request('/v1/pools')).json()) as { pools: { oldestWaitMs: number | null }[] }).pools[0]!.oldestWaitMs;
    const alice = h.ticket('alice', { queuedAt: T0 - 4_000 });
    const bob = h.ticket('bob', { queuedAt: T0 - 1_000 });
    await h.submit(alice);
    await h.submit(bob);
    expect(await oldestWait()).toBe(4_000);
    h.advance(500);
    expect((await h.leave(alice)).status).toBe(204);
    // Within the second: the figure of the last scan, moved on by the clock.
    expect(await oldestWait()).toBe(4_500);
    h.advance(500);
    expect(await oldestWait()).toBe(2_000);
    expect((await h.leave(bob)).status).toBe(204);
    expect(await oldestWait()).toBeNull();
  });
});

describe('GET /v1/keys', () => {
  it('publishes only the public half of its own match-signing key', async () => {
    const h = createHarness();
    const res = await h.app.request('/v1/keys');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('k4.secret');
    const keys = publicKeySetSchema.parse(JSON.parse(text));
    expect(keys.keys.map((k) => k.kid)).toEqual([h.matchKeys.signingKey().kid]);
  });
});
