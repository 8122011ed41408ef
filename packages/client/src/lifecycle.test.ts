// queue() through a match's life after forming, against a scripted matchmaker on loopback:
// accept, decline, no-show, requeue, allocation, and what the presentations carry.
import { describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import type { QueueOptions } from './client.ts';
import { grant, pauseMs, problem, scripted, until } from './test-support/scripted.ts';
import { tokenWithPayload } from './test-support/tokens.ts';
import type { QueueStatus } from './types.ts';

const FAST = { baseMs: 5, capMs: 20 };
const m1 = { id: 'm-1', pool: { mode: 'duel', region: 'eu' }, teams: [[{ sub: 'a', rating: 1 }], [{ sub: 'b', rating: 2 }]], token: 'v4.public.m1' };
const m2 = { ...m1, id: 'm-2', token: 'v4.public.m2' };
const acceptBy = () => new Date(Date.now() + 5_000).toISOString();
const searching = { status: 'searching', pool: m1.pool, queuedForMs: 0, playersInPool: 2, resubmitAfterMs: 10 };
const settled = { token: 'v4.public.assignment' };
const server = { token: 'v4.public.assignment-2', connect: '10.0.0.7:7001', details: { server: 'gs-7' } };

type Route = 'queue' | 'accept' | 'decline' | 'current';
type Script = Partial<Record<Route, (n: number, body: Record<string, unknown>) => object | Response>>;
interface Request {
  readonly route: Route;
  readonly auth: string | undefined;
  readonly body: Record<string, unknown>;
}

/** A matchmaker answering each route from the script (`n`: that route's 1-based call count); records every request. */
async function matchmaker(script: Script, events?: () => Response) {
  const requests: Request[] = [];
  const paths: Record<Route, string> = { queue: '/v1/queue', accept: '/v1/matches/accept', decline: '/v1/matches/decline', current: '/v1/matches/current' };
  const mm = await scripted((app) => {
    for (const [route, path] of Object.entries(paths) as Array<[Route, string]>) {
      app.post(path, async (c) => {
        const body = route === 'queue' ? {} : ((await c.req.json()) as Record<string, unknown>);
        requests.push({ route, auth: c.req.header('authorization'), body });
        const n = requests.filter((r) => r.route === route).length;
        const answer = script[route]?.(n, body) ?? problem(500, 'unscripted');
        return answer instanceof Response ? answer : c.json(answer);
      });
    }
    app.delete('/v1/queue', (c) => c.body(null, 204));
    app.get('/v1/queue/events', () => events?.() ?? problem(503, 'too-many-streams'));
  });
  const issuer = await scripted((app) => app.post('/v1/tickets', (c) => c.json(grant(mm.url, 't1'))));
  const of = (route: Route) => requests.filter((r) => r.route === route);
  return { requests, of, client: createClient({ issuerUrl: issuer.url, backoff: FAST }) };
}

function queueWith(client: ReturnType<typeof createClient>, options: QueueOptions = {}) {
  const statuses: QueueStatus[] = [];
  const result = client.queue({ token: 's', expiresAt: '' }, { mode: 'duel', region: 'eu' }, { ...options, onStatus: (s) => statuses.push(s) });
  return { result, statuses, names: () => statuses.map((s) => s.status) };
}

describe('an accept step', () => {
  it('asks confirm once, accepts with the ticket, presents the acceptance, and resolves with the signed assignment', async () => {
    const deadline = acceptBy();
    let accepted = false;
    let settledAt = Infinity;
    const mm = await matchmaker({
      queue: () => ({ status: 'proposed', match: m1, acceptBy: deadline, accepted: false }),
      accept: () => ((accepted = true), { status: 'proposed', match: m1, acceptBy: deadline, accepted: true }),
      // The other member accepts by the second presentation that carries this one's acceptance;
      // every member has heard the match settled two presentations later.
      current: (n, body) => {
        if (body.accepted === true && mm.of('current').filter((r) => r.body.accepted === true).length >= 2) settledAt = Math.min(settledAt, n);
        return n >= settledAt
          ? { status: 'ready', match: m1, allocating: false, assignment: settled, delivered: n >= settledAt + 2 }
          : { status: 'proposed', match: m1, acceptBy: deadline, accepted, delivered: false };
      },
    });
    const asked: Array<[string, string]> = [];
    const run = queueWith(mm.client, { confirm: (match, by) => (asked.push([match.id, by]), true) });
    expect(await run.result).toEqual({ ...m1, assignment: settled });
    expect(asked).toEqual([['m-1', deadline]]);
    expect(mm.of('accept')).toEqual([{ route: 'accept', auth: 'Bearer t1', body: { match: m1.token } }]);
    expect(run.names()).toEqual(['proposed', 'accepted', 'ready']);
    expect(run.statuses[0]).toEqual({ status: 'proposed', match: m1, acceptBy: deadline });
    // Held once settled: the acceptance and the assignment go with the match until delivered.
    await until(() => mm.of('current').length >= settledAt + 2);
    await pauseMs(60);
    expect(mm.of('current')).toHaveLength(settledAt + 2);
    expect(mm.of('current').at(-1)?.body).toEqual({ match: m1.token, accepted: true, assignment: settled.token });
    expect(mm.of('current').every((r) => r.auth === 'Bearer t1')).toBe(true);
    expect(mm.of('queue')).toHaveLength(1);
  });

  it('accepts at once by default, and rides out an accept that failed on the way', async () => {
    const deadline = acceptBy();
    const mm = await matchmaker({
      queue: () => ({ status: 'proposed', match: m1, acceptBy: deadline, accepted: false }),
      accept: (n) => (n === 1 ? problem(503, 'busy') : n === 2 ? problem(409, 'already-accepted') : problem(500, 'unexpected')),
      current: (n) => (n < 3 ? { status: 'proposed', match: m1, acceptBy: deadline, accepted: false, delivered: false } : { status: 'ready', match: m1, allocating: false, assignment: settled, delivered: true }),
    });
    const run = queueWith(mm.client);
    expect((await run.result).assignment).toEqual(settled);
    // The acceptance counted from the answer that said it was there already.
    expect(run.names().filter((s) => s !== 'retrying')).toEqual(['proposed', 'accepted', 'ready']);
    expect(mm.of('accept')).toHaveLength(2);
  });

  it('declines when confirm says no: the search ends with `declined`', async () => {
    const deadline = acceptBy();
    const mm = await matchmaker({
      queue: () => ({ status: 'proposed', match: m1, acceptBy: deadline, accepted: false }),
      decline: () => ({ status: 'cancelled', match: m1, reason: 'declined', requeued: false }),
      current: () => ({ status: 'proposed', match: m1, acceptBy: deadline, accepted: false, delivered: false }),
    });
    const run = queueWith(mm.client, { confirm: async () => false });
    await expect(run.result).rejects.toMatchObject({ name: 'TicketboothError', code: 'declined', isRetryable: false });
    expect(mm.of('decline')).toEqual([{ route: 'decline', auth: 'Bearer t1', body: { match: m1.token } }]);
    expect(mm.of('accept')).toHaveLength(0);
    expect(run.statuses.at(-1)).toEqual({ status: 'cancelled', match: m1, reason: 'declined', requeued: false });
    expect(mm.of('current').every((r) => r.body.accepted === undefined)).toBe(true);
  });

  it('sends nothing for a confirm that throws or outlives the deadline, and ends with match-cancelled when the match times out', async () => {
    for (const confirm of [() => Promise.reject(new Error('ui gone')), () => new Promise<boolean>(() => {})]) {
      const deadline = new Date(Date.now() + 100).toISOString();
      const mm = await matchmaker({
        queue: () => ({ status: 'proposed', match: m1, acceptBy: deadline, accepted: false }),
        current: () =>
          Date.now() < Date.parse(deadline) + 50
            ? { status: 'proposed', match: m1, acceptBy: deadline, accepted: false, delivered: false }
            : { status: 'cancelled', match: m1, reason: 'accept_timeout', requeued: false, delivered: true },
      });
      const run = queueWith(mm.client, { confirm });
      await expect(run.result).rejects.toMatchObject({ code: 'match-cancelled', reason: 'accept_timeout', message: expect.stringContaining('accept_timeout') });
      expect(mm.of('accept')).toHaveLength(0);
      expect(mm.of('decline')).toHaveLength(0);
      expect(mm.of('current').every((r) => r.body.accepted === undefined)).toBe(true);
    }
  });
});

describe('a cancelled match', () => {
  it('with requeued: searches on with the same ticket and settles in the next match, asking confirm per match', async () => {
    const deadline = acceptBy();
    const mm = await matchmaker({
      queue: (n) => (n === 1 ? { status: 'proposed', match: m1, acceptBy: deadline, accepted: false } : n < 4 ? searching : { status: 'ready', match: m2, allocating: false }),
      accept: () => ({ status: 'proposed', match: m1, acceptBy: deadline, accepted: true }),
      current: (_n, body) =>
        body.match === m1.token
          ? { status: 'cancelled', match: m1, reason: 'declined', requeued: true, delivered: true }
          : { status: 'ready', match: m2, allocating: false, delivered: true },
    });
    const asked: string[] = [];
    const run = queueWith(mm.client, { confirm: (match) => (asked.push(match.id), true) });
    expect(await run.result).toEqual(m2);
    expect(asked).toEqual(['m-1']);
    const names = run.names();
    expect(names.slice(0, names.indexOf('cancelled') + 1)).toEqual(expect.arrayContaining(['proposed', 'cancelled']));
    expect(names.slice(names.indexOf('cancelled'))).toEqual(['cancelled', 'searching', 'searching', 'ready']);
    expect(run.statuses.find((s) => s.status === 'cancelled')).toEqual({ status: 'cancelled', match: m1, reason: 'declined', requeued: true });
    expect(mm.of('queue').map((r) => r.auth)).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t1', 'Bearer t1']);
  });

  it('without requeue (an allocation is never that): the search ends with match-cancelled and its reason', async () => {
    const mm = await matchmaker({
      queue: () => ({ status: 'proposed', match: m1, acceptBy: acceptBy(), accepted: false }),
      accept: () => ({ status: 'cancelled', match: m1, reason: 'declined', requeued: false }),
      current: () => ({ status: 'cancelled', match: m1, reason: 'declined', requeued: false, delivered: true }),
    });
    await expect(queueWith(mm.client).result).rejects.toMatchObject({ code: 'match-cancelled', reason: 'declined' });
  });
});

describe('allocation', () => {
  it('waits while a game server is allocated, then resolves with the assignment and holds it', async () => {
    const mm = await matchmaker({
      queue: () => ({ status: 'ready', match: m1, allocating: true }),
      current: (n) =>
        n < 3 ? { status: 'ready', match: m1, allocating: true, delivered: false } : { status: 'assigned', match: m1, assignment: server, delivered: n >= 5 },
    });
    const run = queueWith(mm.client);
    expect(await run.result).toEqual({ ...m1, assignment: server });
    expect(run.statuses).toEqual([
      { status: 'allocating', match: m1 },
      { status: 'assigned', match: { ...m1, assignment: server }, assignment: server },
    ]);
    await until(() => mm.of('current').length >= 5);
    // No accept step: nothing accepted to carry, the assignment once settled.
    expect(mm.of('current').slice(0, 3).map((r) => r.body)).toEqual([0, 1, 2].map(() => ({ match: m1.token })));
    expect(mm.of('current')[3]?.body).toEqual({ match: m1.token, assignment: server.token });
  });

  it('with an allocation that failed: back in the pool, matched again', async () => {
    const mm = await matchmaker({
      queue: (n) => (n === 1 ? { status: 'ready', match: m1, allocating: true } : n === 2 ? searching : { status: 'assigned', match: m2, assignment: server }),
      current: () => ({ status: 'cancelled', match: m1, reason: 'allocation_failed', requeued: true, delivered: true }),
    });
    const run = queueWith(mm.client);
    expect(await run.result).toEqual({ ...m2, assignment: server });
    expect(run.names()).toEqual(['allocating', 'cancelled', 'searching', 'assigned']);
  });

  it('rides out a matchmaker restart while allocating, presenting the acceptance so it is rebuilt', async () => {
    const deadline = acceptBy();
    const mm = await matchmaker({
      queue: () => ({ status: 'proposed', match: m1, acceptBy: deadline, accepted: false }),
      accept: () => ({ status: 'ready', match: m1, allocating: true }),
      current: (n) =>
        n <= 2 ? problem(503, 'unavailable') : n === 3 ? problem(401, 'unknown-key') : { status: 'assigned', match: m1, assignment: server, delivered: true },
    });
    const run = queueWith(mm.client);
    expect((await run.result).assignment).toEqual(server);
    expect(run.names().filter((s) => s !== 'retrying')).toEqual(['proposed', 'accepted', 'allocating', 'assigned']);
    expect(mm.of('current').map((r) => r.body.accepted)).toEqual([true, true, true, true]);
  });
});

/** An event stream telling `views`, one every `stepMs`, then ending. */
function sse(views: object[], stepMs = 50): Response {
  const timers: NodeJS.Timeout[] = [];
  return new Response(
    new ReadableStream({
      start(controller) {
        const send = (view: object, delayMs: number) =>
          timers.push(setTimeout(() => controller.enqueue(new TextEncoder().encode(`event: ${(view as { status: string }).status}\ndata: ${JSON.stringify(view)}\n\n`)), delayMs));
        views.forEach((view, i) => send(view, stepMs * (i + 1)));
        timers.push(setTimeout(() => controller.close(), stepMs * (views.length + 1)));
      },
      // The client cancels the stream once the match is settled: what was still to come must
      // not be written to it (a closed controller throws, from a timer, past the test).
      cancel() {
        for (const timer of timers) clearTimeout(timer);
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );
}

describe('the push', () => {
  it('takes each phase as pushed, and a lagging answer never moves the match back', async () => {
    const deadline = acceptBy();
    const mm = await matchmaker(
      {
        queue: () => ({ ...searching, resubmitAfterMs: 30_000 }),
        accept: () => ({ status: 'proposed', match: m1, acceptBy: deadline, accepted: true }),
        current: () => ({ status: 'proposed', match: m1, acceptBy: deadline, accepted: false, delivered: false }),
      },
      () => sse([{ status: 'proposed', match: m1, acceptBy: deadline, accepted: false }, { status: 'ready', match: m1, allocating: true }, { status: 'assigned', match: m1, assignment: server }]),
    );
    const started = Date.now();
    const run = queueWith(mm.client);
    expect((await run.result).assignment).toEqual(server);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.names()).toEqual(['searching', 'proposed', 'accepted', 'allocating', 'assigned']);
  });

  it('a late view of an older match never replaces the newer one the player must answer', async () => {
    const deadline = acceptBy();
    // m1 was cancelled and this player requeued; m2 formed two seconds later. A view of m1 that was
    // in flight arrives after m2's proposal.
    const older = { ...m1, token: tokenWithPayload({ jti: 'm-1', iat: '2026-12-01T10:00:00.000Z' }) };
    const newer = { ...m2, token: tokenWithPayload({ jti: 'm-2', iat: '2026-12-01T10:00:02.000Z' }) };
    let streams = 0;
    const mm = await matchmaker(
      {
        queue: () => ({ status: 'proposed', match: newer, acceptBy: deadline, accepted: false }),
        accept: (_n, body) => ({ status: 'proposed', match: body.match === newer.token ? newer : older, acceptBy: deadline, accepted: true }),
        // The other member accepts m2 by the third presentation.
        current: (n, body) =>
          body.match !== newer.token
            ? problem(500, 'presented the old match')
            : n < 3
              ? { status: 'proposed', match: newer, acceptBy: deadline, accepted: true, delivered: false }
              : { status: 'ready', match: newer, allocating: false, assignment: settled, delivered: true },
      },
      () => (streams++ === 0 ? sse([{ status: 'proposed', match: older, acceptBy: deadline, accepted: false }], 5) : problem(503, 'too-many-streams')),
    );
    const run = queueWith(mm.client);
    expect(await run.result).toEqual({ ...newer, assignment: settled });
    expect(mm.of('accept').map((r) => r.body.match)).toEqual([newer.token]);
    expect(run.statuses.filter((s) => s.status === 'proposed').map((s) => (s as { match: { id: string } }).match.id)).toEqual(['m-2']);
  });

  it('a stream that keeps telling an ended match does not spin the loop', async () => {
    const mm = await matchmaker(
      {
        // Requeued from m1 at once, then searching at a 50 ms pace.
        queue: (n) => (n === 1 ? { status: 'cancelled', match: m1, reason: 'declined', requeued: true } : { ...searching, resubmitAfterMs: 50 }),
      },
      // Each stream tells m1 again and ends: nothing for the loop to act on.
      () => sse([{ status: 'cancelled', match: m1, reason: 'accept_timeout', requeued: false }], 0),
    );
    const stop = new AbortController();
    const run = queueWith(mm.client, { signal: stop.signal });
    await pauseMs(500);
    stop.abort();
    await expect(run.result).rejects.toBeDefined();
    // About one resubmission per 50 ms; a loop woken by each telling makes hundreds.
    expect(mm.of('queue').length).toBeGreaterThan(3);
    expect(mm.of('queue').length).toBeLessThan(25);
  });
});
