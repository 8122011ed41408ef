import { describe, expect, it } from 'vitest';
import { T0, createHarness, problemOf } from '../../test/support.ts';

describe('health routes', () => {
  it('answers liveness, and readiness only once ticket keys are loaded', async () => {
    const h = createHarness();
    const live = await h.app.request('/healthz');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await h.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', warmingUp: true });
    h.setKeysLoaded(false);
    const notReady = await h.app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect((await problemOf(notReady)).code).toBe('not-ready');
  });

  it('exposes Prometheus metrics for submissions, cache, pools, matches and ticks', async () => {
    const h = createHarness({ warmupMs: 0 });
    const alice = h.ticket('alice', { queuedAt: T0 - 4_000 });
    await h.submit(alice);
    await h.submit(alice);
    await h.submit(h.ticket('bob'));
    await h.submit('v4.public.nope');
    h.matchmaker.tick();
    const metrics = await h.app.request('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toContain('ticketbooth_matchmaker_submissions_total{outcome="searching"} 3');
    expect(text).toContain('ticketbooth_matchmaker_submissions_total{outcome="invalid"} 1');
    expect(text).toContain('ticketbooth_matchmaker_ticket_cache_lookups_total{result="hit"} 1');
    expect(text).toContain('ticketbooth_matchmaker_ticket_cache_lookups_total{result="miss"} 3'); // the refused one was a miss too
    expect(text).toContain('ticketbooth_matchmaker_ticket_cache_hit_ratio 0.25');
    expect(text).toContain('ticketbooth_matchmaker_matches_total{pool="duel/eu"} 1');
    expect(text).toContain('ticketbooth_matchmaker_time_to_match_seconds_count{pool="duel/eu"} 2');
    expect(text).toContain('ticketbooth_matchmaker_time_to_match_seconds_sum{pool="duel/eu"} 4');
    expect(text).toContain('ticketbooth_matchmaker_tick_duration_seconds_count{pool="duel/eu"} 1');
    expect(text).toContain('ticketbooth_matchmaker_match_rating_spread_count{pool="duel/eu"} 1');
    expect(text).toContain('ticketbooth_matchmaker_match_team_imbalance_count{pool="duel/eu"} 1');
    expect(text).toContain('ticketbooth_matchmaker_pool_players{pool="duel/eu"} 0');
  });

  it('answers unknown routes with 404 problem+json', async () => {
    const res = await createHarness().app.request('/nope');
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('not-found');
  });
});
