import { startServer, type Answer, type ServerHandle } from '@ticketbooth/http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, problemOf } from '../../test/support.ts';

// Through a real server on loopback: the fast lane only exists on the socket side of the app.
describe('POST /v1/queue on the fast lane', () => {
  let server: ServerHandle | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(h: ReturnType<typeof createHarness>) {
    const answered: string[] = [];
    server = await startServer({
      fetch: (request) => {
        answered.push('app');
        return h.app.fetch(request);
      },
      port: 0,
      lane: {
        route: h.lane.route,
        answer(authorization): Answer | Promise<Answer> {
          answered.push('lane');
          return h.lane.answer(authorization);
        },
      },
    });
    const url = `${server.url}/v1/queue`;
    const post = (token: string) => fetch(url, { method: 'POST', headers: h.auth(token) });
    return { answered, post, url };
  }

  it('queues a new ticket and refreshes it, with the bytes and headers the app route sends', async () => {
    const h = createHarness();
    const { answered, post } = await serve(h);
    const scrape = async () => (await (await h.app.request('/metrics')).text()).match(/matchmaker_submissions_total\{outcome="searching"\} (\d+)/)?.[1];
    expect(await scrape()).toBe('0');
    const alice = h.ticket('alice');
    const first = await post(alice);
    h.advance(2_500);
    const second = await post(alice);
    const fromApp = await h.submit(alice);
    expect(answered).toEqual(['lane', 'lane']);
    expect([first.status, second.status, fromApp.status]).toEqual([200, 200, 200]);
    expect(second.headers.get('content-type')).toBe('application/json');
    expect(fromApp.headers.get('content-type')).toBe('application/json');
    expect(await first.json()).toEqual({ status: 'searching', pool: { mode: 'duel', region: 'eu' }, queuedForMs: 0, playersInPool: 1, resubmitAfterMs: 1_000 });
    const body = await second.text();
    expect(JSON.parse(body)).toEqual({ status: 'searching', pool: { mode: 'duel', region: 'eu' }, queuedForMs: 2_500, playersInPool: 1, resubmitAfterMs: 1_000 });
    expect(await fromApp.text()).toBe(body);
    // Seen at +2.5 s, so still queued at +5 s though staleAfter is 3 s.
    h.advance(2_500);
    h.matchmaker.tick();
    expect(h.matchmaker.queue.get('alice')?.lastSeen).toBe(h.now() - 2_500);
    expect(await scrape()).toBe('3');
    // Counted between scrapes and added once: a second scrape neither loses nor repeats them.
    expect(await scrape()).toBe('3');
    await post(alice);
    expect(await scrape()).toBe('4');
  });

  it('answers refusals and matches as the app does: invalid, missing, matched, revoked, pool not served, capacity', async () => {
    const h = createHarness({ warmupMs: 0, maxPlayers: 3 });
    const { answered, post, url } = await serve(h);
    const alice = h.ticket('alice');
    const bob = h.ticket('bob');
    await post(alice);
    const malformed = await post('v4.public.nope');
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
    expect(malformed.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect((await problemOf(malformed)).code).toBe('malformed');
    expect((await problemOf(await fetch(url, { method: 'POST' }))).code).toBe('missing-token');
    await post(bob);
    h.matchmaker.tick();
    const matched = (await (await post(alice)).json()) as { status: string; match: { token: string } };
    expect(matched.status).toBe('matched');
    expect(matched.match.token).toMatch(/^v4\.public\./);
    const carol = h.ticket('carol');
    await post(carol);
    h.matchmaker.revoke('carol', h.now() + 1);
    expect((await problemOf(await post(carol))).code).toBe('revoked');
    const elsewhere = await post(h.ticket('dave', { region: 'na' }));
    expect(elsewhere.status).toBe(422);
    expect((await problemOf(elsewhere)).code).toBe('pool-not-served');
    await post(h.ticket('dave'));
    await post(h.ticket('erin'));
    await post(h.ticket('frank'));
    const full = await post(h.ticket('grace'));
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('1');
    expect((await problemOf(full)).code).toBe('at-capacity');
    expect(answered.every((a) => a === 'lane')).toBe(true);
  });
});
