import { describe, expect, it } from 'vitest';
import { readEvents, waitForPush } from './push.ts';

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

describe('waitForPush', () => {
  const grant = { ticket: 't1', matchmakerUrl: 'http://mm.test/', resubmitAfterMs: 1_000, expiresAt: '2030-01-01T00:00:00.000Z' };

  it('resolves with the match of a `ready` event sent with CR line endings', async () => {
    const requests: Array<[string, RequestInit | undefined]> = [];
    const fetchImpl = async (url: string, init?: RequestInit) => {
      requests.push([url, init]);
      return new Response(streamOf([CR_ONLY.slice(0, 20), CR_ONLY.slice(20)]), { headers: { 'content-type': 'text/event-stream' } });
    };
    expect(await waitForPush(fetchImpl, grant, new AbortController().signal)).toEqual(match);
    expect(requests[0]?.[0]).toBe('http://mm.test/v1/queue/events');
    expect(requests[0]?.[1]?.headers).toEqual({ authorization: 'Bearer t1', accept: 'text/event-stream' });
  });

  it('resolves undefined for a stream that ends without `ready`, or breaks', async () => {
    const answer = (body: ReadableStream<Uint8Array>) => async () => new Response(body);
    const signal = new AbortController().signal;
    expect(await waitForPush(answer(streamOf(['event: ping\rdata: {}\r\r'])), grant, signal)).toBeUndefined();
    expect(await waitForPush(answer(streamOf(['event: ready\rdata: {not json\r\r'])), grant, signal)).toBeUndefined();
  });
});
