import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createClient, refreshTimeOf } from './client.ts';
import { TicketboothError } from './errors.ts';
import { closeAfterTest, grant, pauseMs as sleep, problem, scripted, until } from './test-support/scripted.ts';
import type { QueueStatus } from './types.ts';

const FAST = { baseMs: 5, capMs: 20 };
const match = { id: 'm-1', pool: { mode: 'duel', region: 'eu' }, teams: [[{ sub: 'a', rating: 1 }], [{ sub: 'b', rating: 2 }]], token: 'v4.public.x' };
const ready = { status: 'ready', match, allocating: false };

describe('queue', () => {
  it('resubmits until matched and reports progress', async () => {
    let submissions = 0;
    const mm = await scripted((app) =>
      app.post('/v1/queue', (c) => {
        submissions++;
        if (submissions < 3) {
          return c.json({ status: 'searching', pool: match.pool, queuedForMs: submissions * 10, playersInPool: 1, resubmitAfterMs: 10 });
        }
        return c.json(ready);
      }),
    );
    const issuer = await scripted((app) => app.post('/v1/tickets', (c) => c.json(grant(mm.url, 't1'))));
    const statuses: QueueStatus[] = [];
    const client = createClient({ issuerUrl: issuer.url, backoff: FAST });
    const result = await client.queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' }, { onStatus: (s) => statuses.push(s) });
    expect(result).toEqual(match);
    expect(submissions).toBe(3);
    expect(statuses.map((s) => s.status)).toEqual(['searching', 'searching', 'ready']);
  });

  it('rides out overload and a matchmaker that is down, with backoff', async () => {
    let submissions = 0;
    const mm = await scripted((app) =>
      app.post('/v1/queue', (c) => {
        submissions++;
        if (submissions === 1) return problem(503, 'at-capacity', { 'retry-after': '0' });
        if (submissions === 2) return problem(500, 'internal');
        return c.json(ready);
      }),
    );
    // A port nobody listens on: the first submissions get connection refused.
    const dead = await scripted(() => {});
    await new Promise((done) => dead.server.close(done));
    let tickets = 0;
    const issuer = await scripted((app) =>
      app.post('/v1/tickets', (c) => c.json(grant(++tickets === 1 ? dead.url : mm.url, `t${tickets}`, tickets === 1 ? 0 : 60_000))),
    );
    const statuses: QueueStatus[] = [];
    const client = createClient({ issuerUrl: issuer.url, backoff: FAST });
    const result = await client.queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' }, { onStatus: (s) => statuses.push(s) });
    expect(result.id).toBe('m-1');
    const retries = statuses.filter((s) => s.status === 'retrying');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries.map((s) => (s.status === 'retrying' ? (s.error as TicketboothError).code : ''))).toEqual(
      expect.arrayContaining(['at-capacity', 'internal']),
    );
  });

  it('refreshes the ticket before it expires, passing the previous one', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    let submissions = 0;
    const mm = await scripted((app) =>
      app.post('/v1/queue', (c) =>
        ++submissions < 3
          ? c.json({ status: 'searching', pool: match.pool, queuedForMs: 0, playersInPool: 1, resubmitAfterMs: 10 })
          : c.json(ready),
      ),
    );
    const issuer = await scripted((app) =>
      app.post('/v1/tickets', async (c) => {
        bodies.push(await c.req.json());
        return c.json(grant(mm.url, `t${bodies.length}`, 500));
      }),
    );
    await createClient({ issuerUrl: issuer.url, backoff: FAST }).queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' });
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    expect(bodies[0]).toEqual({ mode: 'duel', region: 'eu' });
    expect(bodies[1]).toMatchObject({ mode: 'duel', region: 'eu', previousTicket: 't1' });
  });

  it('keeps queueing on the ticket it has while the issuer is down', async () => {
    let submissions = 0;
    const mm = await scripted((app) =>
      app.post('/v1/queue', (c) =>
        ++submissions < 4
          ? c.json({ status: 'searching', pool: match.pool, queuedForMs: 0, playersInPool: 1, resubmitAfterMs: 10 })
          : c.json(ready),
      ),
    );
    let tickets = 0;
    const issuer = await scripted((app) =>
      app.post('/v1/tickets', (c) => (++tickets === 1 ? c.json(grant(mm.url, 't1', 1_000)) : problem(503, 'unavailable'))),
    );
    const result = await createClient({ issuerUrl: issuer.url, backoff: FAST }).queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' });
    expect(result.id).toBe('m-1');
    expect(tickets).toBeGreaterThanOrEqual(2);
  });

  it("ends with timed_out when the search reaches its mode's longest wait, and presents nothing", async () => {
    const mm = await scripted((app) => app.post('/v1/queue', (c) => c.json({ status: 'timed_out', pool: match.pool, queuedForMs: 60_000 })));
    const issuer = await scripted((app) => app.post('/v1/tickets', (c) => c.json(grant(mm.url, 't1'))));
    const statuses: QueueStatus[] = [];
    const queued = createClient({ issuerUrl: issuer.url, backoff: FAST }).queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' }, { onStatus: (s) => statuses.push(s) });
    await expect(queued).rejects.toMatchObject({ name: 'TicketboothError', code: 'timed_out', isRetryable: false });
    expect(statuses).toEqual([{ status: 'timed_out', queuedForMs: 60_000 }]);
    expect(mm.calls).toEqual(['POST /v1/queue']);
  });

  it('rejects with a typed error on a 4xx problem', async () => {
    const mm = await scripted((app) => app.post('/v1/queue', () => problem(403, 'revoked')));
    const issuer = await scripted((app) => app.post('/v1/tickets', (c) => c.json(grant(mm.url, 't1'))));
    const error = await createClient({ issuerUrl: issuer.url, backoff: FAST })
      .queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketboothError);
    expect(error).toMatchObject({ status: 403, code: 'revoked', isRetryable: false });
  });

  it('stops on abort and leaves the queue', async () => {
    const mm = await scripted((app) => {
      app.post('/v1/queue', (c) => c.json({ status: 'searching', pool: match.pool, queuedForMs: 0, playersInPool: 1, resubmitAfterMs: 10 }));
      app.delete('/v1/queue', (c) => c.body(null, 204));
    });
    const issuer = await scripted((app) => app.post('/v1/tickets', (c) => c.json(grant(mm.url, 't1'))));
    const controller = new AbortController();
    const queued = createClient({ issuerUrl: issuer.url, backoff: FAST }).queue(
      { token: 's', expiresAt: '' },
      { mode: 'duel', region: 'eu' },
      { signal: controller.signal, onStatus: (s) => s.status === 'searching' && controller.abort(new Error('player left')) },
    );
    await expect(queued).rejects.toThrow('player left');
    expect(mm.calls).toContain('DELETE /v1/queue');
  });
});

describe('requests', () => {
  it('sends credentials and an idempotency key, and maps problems', async () => {
    const seen: Array<{ auth?: string; key?: string; body: unknown }> = [];
    const issuer = await scripted((app) => {
      app.post('/v1/accounts', async (c) => c.json({ id: 'u1', username: ((await c.req.json()) as { username: string }).username }, 201));
      app.post('/v1/sessions', () => problem(401, 'invalid-credentials'));
      app.post('/v1/tickets', async (c) => {
        seen.push({ auth: c.req.header('authorization'), key: c.req.header('idempotency-key'), body: await c.req.json() });
        return c.json(grant('http://127.0.0.1:1', 't'));
      });
    });
    const client = createClient({ issuerUrl: `${issuer.url}/`, backoff: FAST });
    expect(await client.register('ada', 'secret-password')).toEqual({ id: 'u1', username: 'ada' });
    await expect(client.login('ada', 'wrong')).rejects.toMatchObject({ status: 401, code: 'invalid-credentials' });
    await client.requestTicket({ token: 'sess', expiresAt: '' }, { mode: 'duel', region: 'eu' }, { idempotencyKey: 'k1' });
    expect(seen[0]).toEqual({ auth: 'Bearer sess', key: 'k1', body: { mode: 'duel', region: 'eu' } });
    await client.requestTicket({ token: 'sess', expiresAt: '' }, { mode: 'duel', region: 'eu' });
    expect(seen[1]?.key).toMatch(/^\d{13}\.[A-Za-z0-9_-]{22}$/);
  });

  it('reports a timeout as a retryable transport error', async () => {
    const slow = await scripted((app) => app.post('/v1/sessions', () => new Promise<Response>(() => {})));
    const error = await createClient({ issuerUrl: slow.url, timeoutMs: 50 })
      .login('a', 'b')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: 'timeout', isRetryable: true });
    slow.server.closeAllConnections();
  });
});

describe('first ticket', () => {
  it('retries an unavailable issuer with one key, and takes a new key when that one is refused as stale', async () => {
    const keys: string[] = [];
    const mm = await scripted((app) => app.post('/v1/queue', (c) => c.json(ready)));
    const issuer = await scripted((app) =>
      app.post('/v1/tickets', (c) => {
        keys.push(c.req.header('idempotency-key') ?? '');
        if (keys.length <= 2) return problem(503, 'unavailable');
        if (keys.length === 3) return problem(400, 'invalid-idempotency-key');
        return c.json(grant(mm.url, 't1'));
      }),
    );
    const result = await createClient({ issuerUrl: issuer.url, backoff: FAST }).queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' });
    expect(result.id).toBe('m-1');
    expect(keys).toHaveLength(4);
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(keys[3]).not.toBe(keys[0]);
  });
});

describe('retry cadence', () => {
  it('never waits longer than the resubmit interval to retry a matchmaker that is down', async () => {
    // A matchmaker that is down for a while, then comes back on the same port.
    const first = await scripted(() => {});
    const port = Number(new URL(first.url).port);
    await new Promise((done) => first.server.close(done));
    const back = new Promise<void>((resolve) =>
      setTimeout(() => {
        const app = new Hono().post('/v1/queue', (c) => c.json(ready));
        const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }) as Server;
        closeAfterTest(server);
        server.once('listening', () => resolve());
      }, 300),
    );
    const issuer = await scripted((app) => app.post('/v1/tickets', (c) => c.json({ ...grant(first.url, 't1'), resubmitAfterMs: 30 })));
    const delays: number[] = [];
    await createClient({ issuerUrl: issuer.url, backoff: { baseMs: 10, capMs: 10_000 } }).queue(
      { token: 's', expiresAt: '' },
      { mode: 'duel', region: 'eu' },
      { onStatus: (s) => s.status === 'retrying' && delays.push(s.delayMs) },
    );
    await back;
    expect(delays.length).toBeGreaterThan(3);
    expect(Math.max(...delays)).toBeLessThanOrEqual(30);
  });
});

describe('push', () => {
  it('resolves as soon as the matchmaker pushes the match, without waiting for the next resubmission', async () => {
    let submissions = 0;
    const mm = await scripted((app) => {
      app.post('/v1/queue', (c) => {
        submissions++;
        return c.json({ status: 'searching', pool: match.pool, queuedForMs: 0, playersInPool: 2, resubmitAfterMs: 30_000 });
      });
      app.get('/v1/queue/events', (c) => {
        expect(c.req.header('authorization')).toBe('Bearer t1');
        const body = new ReadableStream({
          start(controller) {
            const send = (text: string) => controller.enqueue(new TextEncoder().encode(text));
            send('event: ping\ndata: {}\n\n');
            setTimeout(() => {
              send(`event: ready\r\nid: m-1\r\ndata: ${JSON.stringify(ready)}\r\n\r\n`);
              controller.close();
            }, 100);
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      });
    });
    const issuer = await scripted((app) => app.post('/v1/tickets', (c) => c.json(grant(mm.url, 't1'))));
    const started = Date.now();
    const states: string[] = [];
    const result = await createClient({ issuerUrl: issuer.url, backoff: FAST }).queue(
      { token: 's', expiresAt: '' },
      { mode: 'duel', region: 'eu' },
      { onStatus: (s) => states.push(s.status) },
    );
    expect(result).toEqual(match);
    expect(submissions).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(states).toEqual(['searching', 'ready']);
  });

  it('keeps polling when push is off or refused', async () => {
    let submissions = 0;
    const mm = await scripted((app) => {
      app.post('/v1/queue', (c) =>
        ++submissions < 2
          ? c.json({ status: 'searching', pool: match.pool, queuedForMs: 0, playersInPool: 1, resubmitAfterMs: 10 })
          : c.json(ready),
      );
      app.get('/v1/queue/events', () => problem(503, 'too-many-streams'));
    });
    const issuer = await scripted((app) => app.post('/v1/tickets', (c) => c.json(grant(mm.url, 't1'))));
    const client = createClient({ issuerUrl: issuer.url, backoff: FAST });
    expect(await client.queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' })).toEqual(match);
    submissions = 0;
    expect(await client.queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' }, { push: false })).toEqual(match);
    expect(mm.calls.filter((c) => c.startsWith('GET')).length).toBe(1);
  });
});

describe('holding a match', () => {
  /** A matchmaker that matches at once and records each presentation of the match. */
  async function matching(present: (n: number) => Response) {
    const presented: Array<{ ticket: string | undefined; match: unknown }> = [];
    const mm = await scripted((app) => {
      app.post('/v1/queue', (c) => c.json(ready));
      app.post('/v1/matches/current', async (c) => {
        presented.push({ ticket: c.req.header('authorization'), match: ((await c.req.json()) as { match: unknown }).match });
        return present(presented.length);
      });
    });
    const issuer = await scripted((app) => app.post('/v1/tickets', (c) => c.json(grant(mm.url, 't1'))));
    return { presented, client: createClient({ issuerUrl: issuer.url, backoff: FAST }) };
  }

  it('keeps presenting the match with its ticket at the resubmit cadence until settled', async () => {
    const { presented, client } = await matching(() => Response.json(ready));
    expect(await client.queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' })).toEqual(match);
    await until(() => presented.length >= 3);
    expect(presented.slice(0, 3)).toEqual([0, 1, 2].map(() => ({ ticket: 'Bearer t1', match: match.token })));
    client.settle(match.id);
    const count = presented.length;
    await sleep(60);
    expect(presented.length).toBeLessThanOrEqual(count + 1);
  });

  it('stops once the matchmaker says every member has heard of the match', async () => {
    const { presented, client } = await matching((n) => Response.json({ ...ready, delivered: n >= 2 }));
    await client.queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' });
    await until(() => presented.length >= 2);
    await sleep(60);
    expect(presented).toHaveLength(2);
  });

  it('rides out a matchmaker that is down or busy, and stops when the match is refused for good', async () => {
    const { presented, client } = await matching((n) => (n === 1 ? problem(503, 'busy') : n === 2 ? Response.json(ready) : problem(401, 'expired')));
    await client.queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' });
    await until(() => presented.length >= 3);
    await sleep(60);
    expect(presented).toHaveLength(3);
  });

  it('presents nothing when asked not to, and stops when the queue signal aborts', async () => {
    const off = await matching(() => Response.json(ready));
    await off.client.queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' }, { reannounce: false });
    await sleep(60);
    expect(off.presented).toHaveLength(0);

    const aborted = await matching(() => Response.json(ready));
    const signal = new AbortController();
    await aborted.client.queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' }, { signal: signal.signal });
    await until(() => aborted.presented.length >= 1);
    signal.abort();
    const count = aborted.presented.length;
    await sleep(60);
    expect(aborted.presented.length).toBeLessThanOrEqual(count + 1);
  });
});

describe('refreshTimeOf', () => {
  const at = Date.parse('2026-01-01T00:00:00Z');
  const grantFor = (lifeMs: number, resubmitAfterMs: number) => ({ ticket: 't', matchmakerUrl: 'x', resubmitAfterMs, expiresAt: new Date(at + lifeMs).toISOString() });

  it('refreshes halfway through a long ticket life, far from exp', () => {
    expect(refreshTimeOf(grantFor(5 * 60_000, 5_000), at)).toBe(at + 150_000);
  });

  it('refreshes at least two intervals and a second before exp when the life is short', () => {
    expect(refreshTimeOf(grantFor(4_000, 1_000), at)).toBe(at + 1_000);
    expect(refreshTimeOf(grantFor(2_000, 1_000), at)).toBe(at);
  });

  it('refreshes at once when the expiry cannot be read', () => {
    expect(refreshTimeOf({ ...grantFor(0, 1_000), expiresAt: 'soon' }, at)).toBe(at);
  });
});
