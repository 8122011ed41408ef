import { describe, expect, it } from 'vitest';
import { createHarness, sharedWithMaxWait } from '../../test/support.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = async (res: Response): Promise<any> => res.json();
const MAX_WAIT = 10_000;

describe("a mode's longest wait (maxWaitMs)", () => {
  it('answers timed_out from the signed queuedAt on, drops the entry and never takes it back', async () => {
    const h = createHarness({ warmupMs: 600_000 }, sharedWithMaxWait(MAX_WAIT));
    const alice = h.ticket('alice', { mode: 'squad' });
    expect((await body(await h.submit(alice))).status).toBe('searching');
    h.advance(MAX_WAIT - 1);
    expect((await body(await h.submit(alice))).status).toBe('searching');
    h.advance(1);
    expect(await body(await h.submit(alice))).toEqual({ status: 'timed_out', pool: { mode: 'squad', region: 'eu' }, queuedForMs: MAX_WAIT });
    expect(h.matchmaker.queued('alice')).toBeUndefined();
    // Resubmitting, or a refreshed ticket that carries the wait, ends the same way: no new wait.
    expect((await body(await h.submit(alice))).status).toBe('timed_out');
    const refreshed = h.ticket('alice', { mode: 'squad', queuedAt: h.now() - MAX_WAIT });
    expect((await body(await h.submit(refreshed))).status).toBe('timed_out');
    expect(h.matchmaker.queued('alice')).toBeUndefined();
    // A new search (a ticket without the old wait) is a new wait.
    expect((await body(await h.submit(h.ticket('alice', { mode: 'squad' })))).status).toBe('searching');
    expect(await (await h.app.request('/metrics')).text()).toMatch(/^ticketbooth_matchmaker_submissions_total\{outcome="timed_out"\} 3$/m);
  });

  it('drops a silent entry at its limit with reason timed_out, and a restart does not reset the wait', async () => {
    const h = createHarness({ warmupMs: 600_000, staleAfterMs: 60_000 }, sharedWithMaxWait(MAX_WAIT));
    const bob = h.ticket('bob', { mode: 'squad' });
    await h.submit(bob);
    h.advance(MAX_WAIT);
    h.matchmaker.tick();
    expect(h.matchmaker.queued('bob')).toBeUndefined();
    expect(await (await h.app.request('/metrics')).text()).toMatch(/^ticketbooth_matchmaker_entries_dropped_total\{reason="timed_out"\} 1$/m);
    const restarted = createHarness({}, sharedWithMaxWait(MAX_WAIT), { restartOf: h });
    expect((await body(await restarted.submit(bob))).status).toBe('timed_out');
  });

  it('never times out a mode without a limit, nor a match formed before the limit', async () => {
    const h = createHarness({ warmupMs: 0 }, sharedWithMaxWait(MAX_WAIT));
    const duel = h.ticket('carol');
    await h.submit(duel);
    h.advance(MAX_WAIT * 2);
    expect((await body(await h.submit(duel))).status).toBe('searching');
    const squad = Array.from({ length: 8 }, (_, i) => h.ticket(`s${i}`, { mode: 'squad' }));
    for (const t of squad) await h.submit(t);
    expect(h.matchmaker.tick()).toBe(1);
    h.advance(MAX_WAIT);
    expect((await body(await h.submit(squad[0]!))).status).toBe('ready');
  });
});
