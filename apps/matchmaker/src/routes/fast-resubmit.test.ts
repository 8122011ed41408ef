import { startServer, type ServerHandle } from '@ticketbooth/http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, problemOf } from '../../test/support.ts';
import { fastResubmit } from './fast-resubmit.ts';

// Through a real server on loopback: the preroute only exists on the Node side of the app.
describe('fastResubmit', () => {
  let server: ServerHandle | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(h: ReturnType<typeof createHarness>) {
    const answered: string[] = [];
    const preroute = fastResubmit(h.matchmaker);
    server = await startServer({
      fetch: h.app.fetch,
      port: 0,
      preroute: (request, response) => {
        const fast = preroute(request, response);
        answered.push(fast ? 'fast' : 'app');
        return fast;
      },
    });
    const url = `${server.url}/v1/queue`;
    const post = (token: string, init: RequestInit = {}) =>
      fetch(url, { method: 'POST', ...init, headers: { ...h.auth(token), ...(init.headers as Record<string, string>) } });
    return { answered, post, url };
  }

  it('answers a queued ticket with the bytes and headers the app route sends, and refreshes it', async () => {
    const h = createHarness();
    const { answered, post } = await serve(h);
    const scrape = async () => (await (await h.app.request('/metrics')).text()).match(/matchmaker_submissions_total\{outcome="searching"\} (\d+)/)?.[1];
    expect(await scrape()).toBe('0');
    const alice = h.ticket('alice');
    const first = await post(alice);
    h.advance(2_500);
    const second = await post(alice);
    expect(answered).toEqual(['app', 'fast']);
    expect(second.status).toBe(200);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(await first.json()).toEqual({ status: 'searching', pool: { mode: 'duel', region: 'eu' }, queuedForMs: 0, playersInPool: 1, resubmitAfterMs: 1_000 });
    expect(await second.json()).toEqual({ status: 'searching', pool: { mode: 'duel', region: 'eu' }, queuedForMs: 2_500, playersInPool: 1, resubmitAfterMs: 1_000 });
    // Seen at +2.5 s, so still queued at +5 s though staleAfter is 3 s.
    h.advance(2_500);
    h.matchmaker.tick();
    expect(h.matchmaker.queue.get('alice')?.lastSeen).toBe(h.now() - 2_500);
    expect(await scrape()).toBe('2');
    // Counted between scrapes and added once: a second scrape neither loses nor repeats them.
    expect(await scrape()).toBe('2');
    await post(alice);
    expect(await scrape()).toBe('3');
  });

  it('leaves to the app everything but a queued ticket: new, refused, matched, revoked, with a body, other routes', async () => {
    const h = createHarness({ warmupMs: 0 });
    const { answered, post, url } = await serve(h);
    const alice = h.ticket('alice');
    const bob = h.ticket('bob');
    await post(alice);
    expect((await problemOf(await post('v4.public.nope'))).code).toBe('malformed');
    expect(await post(alice, { body: 'x'.repeat(10) })).toHaveProperty('status', 200);
    expect((await fetch(`${url}?x=1`, { method: 'POST', headers: h.auth(alice) })).status).toBe(200);
    await post(bob);
    h.matchmaker.tick();
    const matched = (await (await post(alice)).json()) as { status: string };
    expect(matched.status).toBe('matched');
    const carol = h.ticket('carol');
    await post(carol);
    h.matchmaker.revoke('carol', h.now() + 1);
    expect((await problemOf(await post(carol))).code).toBe('revoked');
    expect(answered).toEqual(['app', 'app', 'app', 'app', 'app', 'app', 'app', 'app']);
  });
});
