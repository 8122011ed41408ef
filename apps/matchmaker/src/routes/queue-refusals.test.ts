import { Agent, request } from 'node:http';
import { startServer, type ServerHandle } from '@ticketbooth/http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, problemOf } from '../../test/support.ts';

type Harness = ReturnType<typeof createHarness>;

/** A ticket whose signature does not verify: the flood that costs an Ed25519 check each. */
function forged(h: Harness, sub: string): string {
  const [v, p, body, footer] = h.ticket(sub).split('.') as [string, string, string, string];
  return `${v}.${p}.${body.slice(0, -2)}${body.at(-2) === 'A' ? 'B' : 'A'}${body.at(-1)}.${footer}`;
}

describe('POST /v1/queue refusal budget', () => {
  it('answers 429 with Retry-After, before any signature work, once an address spent its burst', async () => {
    const h = createHarness({ refusals: { burst: 3, perSecond: 2, perConnection: 100, holdMs: 0 } });
    const alice = h.ticket('alice');
    expect((await h.submit(alice)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await problemOf(await h.submit(forged(h, `f${i}`)))).code).toBe('bad-signature');
    const misses = async () => (await (await h.app.request('/metrics')).text()).match(/lookups_total\{result="miss"\} (\d+)/)?.[1];
    const missesBefore = await misses();
    const refused = await h.submit(forged(h, 'f3'));
    expect(refused.status).toBe(429);
    // Not even a verifier lookup, let alone an Ed25519 check.
    expect(await misses()).toBe(missesBefore);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await problemOf(refused)).toMatchObject({ code: 'too-many-invalid-tickets', status: 429 });
    // A new honest ticket from the same address waits too; a queued one is answered as ever.
    expect((await h.submit(h.ticket('bob'))).status).toBe(429);
    expect(h.matchmaker.queued('bob')).toBeUndefined();
    expect((await h.submit(alice)).status).toBe(200);
    // The bucket refills at 2 a second: one more check after 500 ms.
    h.advance(500);
    expect((await h.submit(h.ticket('bob'))).status).toBe(200);
    // Bob's ticket verified and spent nothing: the refilled check goes to the next bad ticket.
    expect((await h.submit(forged(h, 'f4'))).status).toBe(401);
    expect((await h.submit(forged(h, 'f5'))).status).toBe(429);
    const metrics = await (await h.app.request('/metrics')).text();
    expect(metrics).toMatch(/^ticketbooth_matchmaker_submissions_total\{outcome="throttled"\} 3$/m);
    expect(metrics).toMatch(/^ticketbooth_matchmaker_submissions_total\{outcome="invalid"\} 4$/m);
  });

  it('never spends the budget on tickets that verify', async () => {
    const h = createHarness({ refusals: { burst: 1, perSecond: 1, perConnection: 1 } });
    for (let i = 0; i < 20; i++) expect((await h.submit(h.ticket(`p${i}`))).status).toBe(200);
  });
});

describe('refused tickets on one connection', () => {
  let server: ServerHandle | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /**
   * POSTs `tickets` one at a time on one keep-alive connection, to POST /v1/queue or (with a
   * match token) POST /v1/matches/current: each answer's status and connection.
   */
  async function onOneConnection(
    port: number,
    tickets: string[],
    match?: string,
    forwardedFor?: (i: number) => string,
  ): Promise<Array<{ status: number; connection: number }>> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const answers: Array<{ status: number; connection: number }> = [];
    const path = match === undefined ? '/v1/queue' : '/v1/matches/current';
    const body = match === undefined ? '' : JSON.stringify({ match });
    for (const [i, ticket] of tickets.entries()) {
      answers.push(
        await new Promise((resolve, reject) => {
          const headers = {
            authorization: `Bearer ${ticket}`,
            ...(match === undefined ? {} : { 'content-type': 'application/json' }),
            ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor(i) }),
          };
          const req = request({ port, host: '127.0.0.1', method: 'POST', path, agent, headers }, (res) => {
            const connection = res.socket.localPort!;
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode!, connection }));
          });
          req.on('error', reject);
          req.end(body);
        }),
      );
    }
    agent.destroy();
    return answers;
  }

  it('treats refused match presentations as refused tickets: the connection is closed after its share, and a wait is held', async () => {
    const h = createHarness({ refusals: { burst: 3, perSecond: 1, perConnection: 3, holdMs: 300 } });
    server = await startServer({ fetch: h.app.fetch, port: 0, lane: h.lane });
    // A match token whose signature does not verify (any token shape will do: it is checked first).
    const match = forged(h, 'not-a-match');
    const closing = await onOneConnection(server.port, [h.ticket('a'), h.ticket('b'), h.ticket('c'), h.ticket('d')], match);
    expect(closing.map((a) => a.status)).toEqual([401, 401, 401, 429]);
    const connections = closing.map((a) => a.connection);
    expect(new Set(connections.slice(0, 3)).size).toBe(1);
    expect(connections[3]).not.toBe(connections[0]);
    // The address has spent its burst: its next presentation waits the hold before the 429.
    const started = performance.now();
    expect((await onOneConnection(server.port, [h.ticket('e')], match)).map((a) => a.status)).toEqual([429]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    const metrics = await (await h.app.request('/metrics')).text();
    expect(metrics).toMatch(/^ticketbooth_matchmaker_connections_closed_total\{reason="invalid_tickets"\} 1$/m);
    expect(metrics).toMatch(/^ticketbooth_matchmaker_submissions_total\{outcome="throttled"\} 2$/m);
  });

  it.each([
    ['the Hono route', false],
    ['the fast lane', true],
  ])('closes a connection after its share of refused tickets, on %s', async (_, withLane) => {
    const h = createHarness({ refusals: { burst: 100, perSecond: 1, perConnection: 3 } });
    server = await startServer({ fetch: h.app.fetch, port: 0, ...(withLane ? { lane: h.lane } : {}) });
    const answers = await onOneConnection(server.port, [h.ticket('a'), forged(h, 'x'), forged(h, 'y'), forged(h, 'z'), h.ticket('b')]);
    expect(answers.map((a) => a.status)).toEqual([200, 401, 401, 401, 200]);
    // The third refusal ended the connection; the next request needed a new one, and got its answer.
    const connections = answers.map((a) => a.connection);
    expect(new Set(connections.slice(0, 4)).size).toBe(1);
    expect(connections[4]).not.toBe(connections[0]);
    expect(await (await h.app.request('/metrics')).text()).toMatch(/^ticketbooth_matchmaker_connections_closed_total\{reason="invalid_tickets"\} 1$/m);
  });

  it.each([
    ['the Hono route', false],
    ['the fast lane', true],
  ])('behind a proxy (1 trusted hop), counts refusals per forwarded address, never the forged entry, and keeps the shared connection, on %s', async (_, withLane) => {
    const h = createHarness({ refusals: { burst: 2, perSecond: 1, perConnection: 2, holdMs: 300 }, trustedProxyHops: 1 });
    server = await startServer({ fetch: h.app.fetch, port: 0, ...(withLane ? { lane: h.lane } : {}) });
    // One proxy connection: a flooder forging a new leftmost entry each time, then an honest client.
    const flood = Array.from({ length: 5 }, (_, i) => forged(h, `x${i}`));
    const started = performance.now();
    const answers = await onOneConnection(server.port, [...flood, h.ticket('honest')], undefined, (i) =>
      i < 5 ? `10.9.9.${i}, 203.0.113.7` : '198.51.100.1',
    );
    // The flooder's address (the entry the proxy appended) spent its burst of 2; the honest client's did not.
    expect(answers.map((a) => a.status)).toEqual([401, 401, 429, 429, 429, 200]);
    // Neither held nor closed: the connection is the proxy's, carrying other clients too.
    expect(new Set(answers.map((a) => a.connection)).size).toBe(1);
    expect(performance.now() - started).toBeLessThan(300);
    expect(await (await h.app.request('/metrics')).text()).not.toMatch(/connections_closed_total\{reason="invalid_tickets"\} [1-9]/);
  });

  it('closes a connection that keeps sending after being told to wait', async () => {
    const h = createHarness({ refusals: { burst: 1, perSecond: 1, perConnection: 3, holdMs: 0 } });
    server = await startServer({ fetch: h.app.fetch, port: 0, lane: h.lane });
    const answers = await onOneConnection(server.port, [forged(h, 'x'), forged(h, 'y'), forged(h, 'z'), forged(h, 'w')]);
    expect(answers.map((a) => a.status)).toEqual([401, 429, 429, 429]);
    const connections = answers.map((a) => a.connection);
    expect(new Set(connections.slice(0, 3)).size).toBe(1);
    expect(connections[3]).not.toBe(connections[0]);
  });

  it.each([
    ['the Hono route', false],
    ['the fast lane', true],
  ])('holds each answer that says wait, on %s, while queued players from the same address are answered at once', async (_, withLane) => {
    const h = createHarness({ refusals: { burst: 1, perSecond: 1, perConnection: 100, holdMs: 300 } });
    server = await startServer({ fetch: h.app.fetch, port: 0, ...(withLane ? { lane: h.lane } : {}) });
    const alice = h.ticket('alice');
    expect((await onOneConnection(server.port, [alice]))[0]!.status).toBe(200);
    const flood = onOneConnection(server.port, [forged(h, 'x'), forged(h, 'y'), forged(h, 'z')]).then((answers) => ({ answers, at: performance.now() }));
    const started = performance.now();
    // Alice resubmits on her own connection while the flooder's answers are held.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const resubmitted = await onOneConnection(server.port, [alice]);
    const aliceMs = performance.now() - started;
    const { answers, at } = await flood;
    expect(answers.map((a) => a.status)).toEqual([401, 429, 429]);
    // Two held answers, one after the other on that connection.
    expect(at - started).toBeGreaterThanOrEqual(2 * 300 - 20);
    expect(resubmitted[0]!.status).toBe(200);
    expect(aliceMs).toBeLessThan(300);
  });
});
