import { describe, expect, it } from 'vitest';
import { readEvents, watchPush } from './push.ts';
import type { MatchView } from './types.ts';

const match = { id: 'm-1', pool: { mode: 'duel', region: 'eu' }, teams: [[{ sub: 'a', rating: 1 }], [{ sub: 'b', rating: 2 }]], token: 'v4.public.x' };
const ready = JSON.stringify({ status: 'ready', match });

/** A body sent in the given chunks, as a server or proxy may cut it. */
function streamOf(chunks: readonly (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function eventsOf(body: ReadableStream<Uint8Array>, maxBufferedChars?: number) {
  const events = [];
  for await (const event of readEvents(body, maxBufferedChars)) events.push(event);
  return events;
}

/** The matchmaker's stream (ping, then ready with the match id) written with lone CR line endings and a comment. */
const CR_ONLY = `: keep-alive\revent: ping\rdata: {}\r\rretry: 5000\rid: m-1\revent: ready\rdata: ${ready}\r\r`;

describe('readEvents', () => {
  it('reads lone CR line endings, skipping comments and the id and retry fields', async () => {
    expect(await eventsOf(streamOf([CR_ONLY]))).toEqual([
      { type: 'ping', data: '{}' },
      { type: 'ready', data: ready },
    ]);
  });

  it('reads the same events however the bytes are cut, a CRLF or a character split across chunks included', async () => {
    const text = `event: ping\r\ndata: {}\r\n\r\n: comment\nevent: ready\ndata: {"name":"Zoë"}\n\n`;
    const bytes = new TextEncoder().encode(text);
    const oneByteEach = [...bytes].map((byte) => Uint8Array.of(byte));
    expect(await eventsOf(streamOf(oneByteEach))).toEqual([
      { type: 'ping', data: '{}' },
      { type: 'ready', data: '{"name":"Zoë"}' },
    ]);
    expect(await eventsOf(streamOf(CR_ONLY.split(/(?<=\r)/)))).toHaveLength(2);
  });

  it('joins data lines, names an event without a type `message`, and drops an event the stream ends in', async () => {
    expect(await eventsOf(streamOf(['data: one\ndata:two\n\nevent: ready\ndata: cut short']))).toEqual([{ type: 'message', data: 'one\ntwo' }]);
  });

  it('gives up on a line that never ends', async () => {
    await expect(eventsOf(streamOf(['data: ', 'x'.repeat(2_000)]), 1_000)).rejects.toThrow(/more than 1000 characters/);
  });
});

describe('watchPush', () => {
  const grant = { ticket: 't1', matchmakerUrl: 'http://mm.test/', resubmitAfterMs: 1_000, expiresAt: '2030-01-01T00:00:00.000Z' };
  const views = async (body: ReadableStream<Uint8Array>) => {
    const seen: MatchView[] = [];
    await watchPush(async () => new Response(body), grant, new AbortController().signal, (view) => seen.push(view));
    return seen;
  };

  it('reports the view of a `ready` event sent with CR line endings, skipping pings', async () => {
    const requests: Array<[string, RequestInit | undefined]> = [];
    const fetchImpl = async (url: string, init?: RequestInit) => {
      requests.push([url, init]);
      return new Response(streamOf([CR_ONLY.slice(0, 20), CR_ONLY.slice(20)]), { headers: { 'content-type': 'text/event-stream' } });
    };
    const seen: MatchView[] = [];
    await watchPush(fetchImpl, grant, new AbortController().signal, (view) => seen.push(view));
    expect(seen).toEqual([{ status: 'ready', match }]);
    expect(requests[0]?.[0]).toBe('http://mm.test/v1/queue/events');
    expect(requests[0]?.[1]?.headers).toEqual({ authorization: 'Bearer t1', accept: 'text/event-stream' });
  });

  it('reports each phase in order until the stream ends', async () => {
    const proposed = { status: 'proposed', match, acceptBy: '2030-01-01T00:00:10.000Z', accepted: false };
    const allocating = { status: 'ready', match, allocating: true };
    const assigned = { status: 'assigned', match, assignment: { token: 'v4.public.a', connect: '10.0.0.1:7000' } };
    const text = [proposed, allocating, assigned].map((v) => `event: ${v.status}\ndata: ${JSON.stringify(v)}\n\nevent: ping\ndata: {}\n\n`).join('');
    expect(await views(streamOf([text]))).toEqual([proposed, allocating, assigned]);
  });

  it('ends quietly for a stream that breaks, or sends a view that is not what its event says', async () => {
    expect(await views(streamOf(['event: ping\rdata: {}\r\r']))).toEqual([]);
    expect(await views(streamOf(['event: ready\rdata: {not json\r\r']))).toEqual([]);
    expect(await views(streamOf([`event: cancelled\ndata: ${ready}\n\nevent: ready\ndata: ${ready}\n\n`]))).toEqual([]);
    const refused = async () => new Response('{}', { status: 503 });
    await expect(watchPush(refused, grant, new AbortController().signal, () => {})).resolves.toBeUndefined();
  });
});
