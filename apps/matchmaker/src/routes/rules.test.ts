// Mode rules over HTTP: a latency mode is one pool across regions, its matches placed in a
// region and re-announced after a restart; attribute rules keep builds and opt-outs apart.
import { parseSharedConfig, DEMO_CONFIG } from '@ticketbooth/config';
import { matchClaims } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { createHarness, problemOf } from '../../test/support.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
const body = async (res: Response) => (await res.json()) as Record<string, any>;

const shared = parseSharedConfig({
  ...DEMO_CONFIG,
  resubmitIntervalMs: 1_000,
  ticketTtlMs: 60_000,
  regions: ['eu', 'na', 'sa'],
  attributes: { build: { values: ['1.4', '1.5'] }, crossplay: { values: ['pc', 'ps5', 'any'], set: true } },
  modes: {
    duel: { teams: 2, teamSize: 1, attributes: { equal: ['build'], intersect: ['crossplay'] } },
    near: { teams: 2, teamSize: 1, latency: { maxMs: 60, widenToMs: 160, widenAfterMs: 20_000 } },
  },
});

const payload = (token: string) => JSON.parse(Buffer.from(token.split('.')[2]!, 'base64url').subarray(0, -64).toString('utf8')) as unknown;

describe('mode rules at the matchmaker', () => {
  it('queues a latency mode in one pool whatever the home region, and places the match where the worst latency is lowest', async () => {
    const h = createHarness({ pools: ['duel/eu', 'near'] }, shared);
    const a = h.ticket('a', { mode: 'near', region: 'eu', claims: { latencies: { eu: 20, na: 55, sa: 300 } } });
    const b = h.ticket('b', { mode: 'near', region: 'na', claims: { latencies: { eu: 58, na: 25 } } });
    expect(await body(await h.submit(a))).toMatchObject({ status: 'searching', pool: { mode: 'near' } });
    expect((await body(await h.submit(b))).pool).toEqual({ mode: 'near' });
    const pools = await body(await h.app.request('/v1/pools'));
    expect(pools.pools.find((p: { pool: string }) => p.pool === 'near')).toMatchObject({ mode: 'near', players: 2 });
    h.advance(2_000);
    expect(h.matchmaker.tick()).toBe(1);
    const matched = await body(await h.submit(a));
    expect(matched.match.pool).toEqual({ mode: 'near', region: 'na' });
    expect(matchClaims.parse(payload(matched.match.token)).pool).toEqual({ mode: 'near', region: 'na' });

    // A restarted matchmaker rebuilds the match from a member presenting it.
    const restarted = createHarness({ pools: ['duel/eu', 'near'] }, shared, { restartOf: h });
    const again = await body(await restarted.reannounce(b, matched.match.token));
    expect(again).toMatchObject({ status: 'ready', match: { id: matched.match.id, pool: { mode: 'near', region: 'na' } } });
  });

  it('answers the latency bound in the explanation, and matches nobody beyond it', async () => {
    const h = createHarness({ pools: ['near'] }, shared);
    const a = h.ticket('a', { mode: 'near', claims: { latencies: { eu: 20 } } });
    const b = h.ticket('b', { mode: 'near', claims: { latencies: { sa: 30, eu: 140 } } });
    await h.submit(a);
    await h.submit(b);
    h.advance(2_000);
    expect(h.matchmaker.tick()).toBe(0);
    const why = await body(await h.app.request('/v1/queue/explain', { headers: h.auth(a) }));
    expect(why).toMatchObject({ pool: { mode: 'near' }, latency: { widenToMs: 160 }, nearestIncompatible: { blockedBy: 'latency' } });
    // b reaches eu (140) when its bound does: 60 + 100 x t/20 s = 140 at 16 s from its queuedAt.
    for (let s = 0; s < 13; s++) {
      h.advance(1_000);
      await h.submit(a);
      await h.submit(b);
      expect(h.matchmaker.tick()).toBe(0);
    }
    h.advance(1_000);
    await h.submit(a);
    await h.submit(b);
    expect(h.matchmaker.tick()).toBe(1);
  });

  it('keeps builds apart and a crossplay opt-out with its own platform', async () => {
    const h = createHarness({ pools: ['duel/eu'] }, shared);
    const player = (sub: string, build: string, crossplay: string[]) => h.ticket(sub, { claims: { attributes: { build, crossplay } } });
    for (const t of [player('old', '1.4', ['pc', 'any']), player('pc-out', '1.5', ['pc']), player('ps5-in', '1.5', ['ps5', 'any'])]) await h.submit(t);
    h.advance(2_000);
    expect(h.matchmaker.tick()).toBe(0);
    const pcIn = player('pc-in', '1.5', ['pc', 'any']);
    await h.submit(pcIn);
    expect(h.matchmaker.tick()).toBe(1);
    const teams = (await body(await h.submit(pcIn))).match.teams.flat().map((p: { sub: string }) => p.sub).sort();
    // pc-in fits both pc-out (pc) and ps5-in (any): the longest wait anchors, pc-out queued first.
    expect(teams).toEqual(['pc-in', 'pc-out']);
  });

  it('refuses a latency-mode ticket at a matchmaker that serves the mode by region only as not served', async () => {
    const h = createHarness({ pools: ['duel/eu'] }, shared);
    const res = await h.submit(h.ticket('a', { mode: 'near', claims: { latencies: { eu: 20 } } }));
    expect(res.status).toBe(422);
    expect(await problemOf(res)).toMatchObject({ code: 'pool-not-served' });
  });
});
