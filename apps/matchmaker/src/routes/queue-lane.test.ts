import { connect } from 'node:net';
import { startServer, type Answer, type ServerHandle } from '@ticketbooth/http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { badTickets, createHarness, problemOf, sharedWithMaxWait } from '../../test/support.ts';

interface RawAnswer {
  readonly status: number;
  /** Every header, names lowercased, the Date value masked (its presence still counts). */
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly closed: boolean;
}

/** One POST /v1/queue on a fresh connection, read whole: what a client sees, byte for byte. */
async function rawPost(port: number, authorization: string | undefined): Promise<RawAnswer> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.on('close', () => ((closed = true), resolve())));
  socket.write(`POST /v1/queue HTTP/1.1\r\nHost: 127.0.0.1\r\n${authorization === undefined ? '' : `Authorization: ${authorization}\r\n`}\r\n`);
  for (let waited = 0; waited < 5_000; waited += 5) {
    const raw = Buffer.concat(chunks).toString('latin1');
    const end = raw.indexOf('\r\n\r\n');
    const length = /\r\ncontent-length: (\d+)/i.exec(raw)?.[1];
    if (end >= 0 && length !== undefined && raw.length >= end + 4 + Number(length)) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const raw = Buffer.concat(chunks).toString('latin1');
  // A closing answer is followed by the close itself: wait for it (or a second, then say not closed).
  if (/\r\nconnection: close\r\n/i.test(raw)) await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 1_000))]);
  else await new Promise((resolve) => setImmediate(resolve));
  socket.destroy();
  const end = raw.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    headers[name] = name === 'date' ? '(present)' : line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: raw.slice(end + 4), closed };
}

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
    const scrape = async () => (await (await h.app.request('/metrics')).text()).match(/ticketbooth_matchmaker_submissions_total\{outcome="searching"\} (\d+)/)?.[1];
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
    expect(await first.json()).toEqual({ status: 'searching', pool: { mode: 'duel', region: 'eu' }, queuedForMs: 0, playersInPool: 1, estimatedWaitMs: null, resubmitAfterMs: 1_000 });
    const body = await second.text();
    expect(JSON.parse(body)).toEqual({ status: 'searching', pool: { mode: 'duel', region: 'eu' }, queuedForMs: 2_500, playersInPool: 1, estimatedWaitMs: null, resubmitAfterMs: 1_000 });
    expect(await fromApp.text()).toBe(body);
    // Seen at +2.5 s, so still queued at +5 s though staleAfter is 3 s.
    h.advance(2_500);
    h.matchmaker.tick();
    expect(h.matchmaker.queued('alice')?.lastSeen).toBe(h.now() - 2_500);
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
    expect(matched.status).toBe('ready');
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

  it('sends the same status, every header and body as the Hono route, for every outcome', async () => {
    const h = createHarness({ warmupMs: 0, maxPlayers: 3, refusals: { burst: 1_000, perSecond: 1, perConnection: 1_000 } }, sharedWithMaxWait(10_000));
    const onLane = await startServer({ fetch: h.app.fetch, port: 0, lane: h.lane });
    const onHono = await startServer({ fetch: h.app.fetch, port: 0 });
    try {
      // Each case is sent to both; a case must leave the state as it found it after its first send.
      const both = async (authorization: string | undefined) => {
        const lane = await rawPost(onLane.port, authorization);
        const hono = await rawPost(onHono.port, authorization);
        expect(lane, `${authorization?.slice(0, 40)}: lane and Hono differ`).toEqual(hono);
        return lane;
      };
      const bearer = (token: string) => `Bearer ${token}`;
      const alice = h.ticket('alice');
      await rawPost(onLane.port, bearer(alice));
      expect(JSON.parse((await both(bearer(alice))).body)).toMatchObject({ status: 'searching' });
      for (const [code, token] of Object.entries(badTickets(h))) {
        const answer = await both(bearer(token));
        expect([answer.status, JSON.parse(answer.body).code]).toEqual([401, code.replaceAll('_', '-')]);
      }
      expect((await both(undefined)).status).toBe(401);
      expect((await both('Basic abc')).status).toBe(401);
      expect((await both(`Bearer ${'a'.repeat(9_000)}`)).status).toBe(401);
      expect((await both(bearer(h.ticket('dave', { region: 'na' })))).status).toBe(422);
      const gone = h.ticket('liz');
      await rawPost(onLane.port, bearer(gone));
      await h.leave(gone);
      expect([(await both(bearer(gone))).status, JSON.parse((await both(bearer(gone))).body).code]).toEqual([409, 'left']);
      const tooLong = await both(bearer(h.ticket('kim', { mode: 'squad', queuedAt: h.now() - 10_000 })));
      expect(JSON.parse(tooLong.body)).toEqual({ status: 'timed_out', pool: { mode: 'squad', region: 'eu' }, queuedForMs: 10_000 });
      const bob = h.ticket('bob');
      await rawPost(onLane.port, bearer(bob));
      h.matchmaker.tick();
      expect(JSON.parse((await both(bearer(alice))).body)).toMatchObject({ status: 'ready' });
      const carol = h.ticket('carol');
      await rawPost(onLane.port, bearer(carol));
      h.matchmaker.revoke('carol', h.now() + 1);
      expect((await both(bearer(carol))).status).toBe(403);
      for (const sub of ['erin', 'frank', 'gina']) await rawPost(onLane.port, bearer(h.ticket(sub)));
      const full = await both(bearer(h.ticket('heidi')));
      expect([full.status, full.headers['retry-after']]).toEqual([503, '1']);
      const broken = vi.spyOn(h.matchmaker, 'submit').mockImplementation(() => {
        throw new Error('a bug');
      });
      expect((await both(bearer(h.ticket('ivan')))).status).toBe(500);
      broken.mockImplementation(() => Promise.reject(new Error('a later bug')));
      expect((await both(bearer(h.ticket('judy')))).status).toBe(500);
      broken.mockRestore();
      const metrics = await (await h.app.request('/metrics')).text();
      // Every case above was answered by the lane on one server (and by Hono on the other).
      expect(Number(/^ticketbooth_matchmaker_lane_answers_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(25);
    } finally {
      await Promise.all([onLane.close(), onHono.close()]);
    }
  });

  it('sends the same 429 and the same closing answer as the Hono route', async () => {
    const h = createHarness({ refusals: { burst: 2, perSecond: 1, perConnection: 1 } });
    const onLane = await startServer({ fetch: h.app.fetch, port: 0, lane: h.lane });
    const onHono = await startServer({ fetch: h.app.fetch, port: 0 });
    try {
      const forged = badTickets(h).bad_signature;
      const [laneRefused, honoRefused] = [await rawPost(onLane.port, `Bearer ${forged}`), await rawPost(onHono.port, `Bearer ${forged}`)];
      expect(laneRefused).toEqual(honoRefused);
      expect([laneRefused.status, laneRefused.headers.connection, laneRefused.closed]).toEqual([401, 'close', true]);
      const [laneThrottled, honoThrottled] = [await rawPost(onLane.port, `Bearer ${forged}`), await rawPost(onHono.port, `Bearer ${forged}`)];
      expect(laneThrottled).toEqual(honoThrottled);
      expect([laneThrottled.status, laneThrottled.headers['retry-after']]).toEqual([429, '1']);
    } finally {
      await Promise.all([onLane.close(), onHono.close()]);
    }
  });

  it('takes the Bearer scheme in any case, as the Hono route does', async () => {
    const h = createHarness();
    const { answered } = await serve(h);
    for (const scheme of ['bearer', 'BEARER']) {
      const answer = await rawPost(server!.port, `${scheme} ${h.ticket('alice')}`);
      expect([answer.status, JSON.parse(answer.body).status], scheme).toEqual([200, 'searching']);
    }
    expect(answered).toEqual(['lane', 'lane']);
    expect(h.matchmaker.queued('alice')).toBeDefined();
  });

  it('counts the connections it hands to node:http, by reason', async () => {
    const h = createHarness();
    const onLane = await startServer({ fetch: h.app.fetch, port: 0, lane: h.lane });
    try {
      // Another route: node:http and Hono answer it, and the lane counts why it let go.
      expect((await fetch(`${onLane.url}/v1/pools`)).status).toBe(200);
      const metrics = await (await h.app.request('/metrics')).text();
      expect(metrics).toMatch(/^ticketbooth_matchmaker_lane_handoffs_total\{reason="route"\} 1$/m);
    } finally {
      await onLane.close();
    }
  });
});
