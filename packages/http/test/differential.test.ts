// The differential suite: every request of the corpus sent to a server with the fast lane and to
// the same app without it; a client must not be able to tell them apart.
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../src/fast-lane.ts';
import { startServer, type ServerHandle } from '../src/server.ts';
import { buildCorpus, LATE_MS, type Case } from './corpus.ts';
import { describeTranscript, exchange, type ExchangeTiming } from './wire.ts';

/**
 * One answer function behind both servers: the lane calls it directly, the app's route as the
 * matchmaker's does. The Authorization's first word says how it answers; the body echoes it,
 * so each response names the request it answers.
 */
function answerFor(authorization: string | undefined, socket?: Socket): Answer | Promise<Answer> {
  const mode = authorization?.split('-', 1)[0];
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', 'x-peer': socket?.remoteAddress ?? 'none' };
  if (mode === 'close' || mode === 'closelate') headers.connection = 'close';
  const answer: Answer = { status: mode === 'sync' ? 200 : 201, headers, body: `answer to ${JSON.stringify(authorization ?? null)}` };
  switch (mode) {
    case 'imm':
      return new Promise((resolve) => setImmediate(() => resolve(answer)));
    case 'late':
    case 'closelate':
      return new Promise((resolve) => setTimeout(() => resolve(answer), LATE_MS));
    default:
      return answer;
  }
}

const app = new Hono()
  .post('/v1/queue', async (c) => {
    const { status, headers, body } = await answerFor(c.req.header('authorization'), (c.env as HttpBindings).incoming.socket);
    return new Response(body, { status, headers });
  })
  .get('/other', (c) => c.text('other'))
  .post('/other', async (c) => c.text(`other ${await c.req.text()}`));

const TIMING: ExchangeTiming = { pauseMs: 15, quietMs: 200 };
const CONCURRENCY = 48;

/**
 * Divergences the suite accepts, each with its reason. None so far: a case named here that
 * no longer diverges fails the suite too, so the list stays true.
 */
const ACCEPTED: ReadonlyMap<string, string> = new Map();

describe('differential: the fast lane against node:http and Hono alone', () => {
  let withLane: ServerHandle;
  let withoutLane: ServerHandle;
  beforeAll(async () => {
    withLane = await startServer({ fetch: app.fetch, port: 0, lane: { route: 'POST /v1/queue', answer: answerFor } });
    withoutLane = await startServer({ fetch: app.fetch, port: 0 });
  });
  afterAll(async () => {
    await Promise.all([withLane.close(), withoutLane.close()]);
  });

  const corpus = buildCorpus();

  it('has a corpus of several hundred cases, each named once', () => {
    expect(corpus.length).toBeGreaterThan(500);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it('answers every case of the corpus as node:http does: the same responses, headers, bodies and closes', async () => {
    const divergences: { name: string; lane: string[]; app: string[] }[] = [];
    const runCase = async (c: Case) => {
      const [lane, plain] = await Promise.all([exchange(withLane.port, c.plan, TIMING), exchange(withoutLane.port, c.plan, TIMING)]);
      const laneLines = describeTranscript(lane);
      const appLines = describeTranscript(plain);
      const same = JSON.stringify(laneLines) === JSON.stringify(appLines);
      if (same === ACCEPTED.has(c.name)) divergences.push({ name: same ? `${c.name} (listed as accepted, but no longer diverges)` : c.name, lane: laneLines, app: appLines });
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < corpus.length) await runCase(corpus[next++]!);
      }),
    );
    expect(divergences).toEqual([]);
  }, 60_000);
});
