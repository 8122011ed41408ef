// The matchmaker's `ready` push (Server-Sent Events), read with fetch: an extra on top of polling.
import { createParser } from 'eventsource-parser';
import type { Fetch } from './http.ts';
import type { Match, TicketGrant } from './types.ts';

/**
 * Waits on `GET /v1/queue/events` for a `ready` event. Resolves with the match,
 * or undefined when the stream ends, fails or is refused: the caller keeps
 * resubmitting either way, so nothing here is an error.
 */
export async function waitForPush(fetchImpl: Fetch, grant: TicketGrant, signal: AbortSignal): Promise<Match | undefined> {
  try {
    const response = await fetchImpl(`${grant.matchmakerUrl.replace(/\/+$/, '')}/v1/queue/events`, {
      headers: { authorization: `Bearer ${grant.ticket}`, accept: 'text/event-stream' },
      signal,
    });
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      return undefined;
    }
    for await (const event of readEvents(response.body)) {
      if (event.type === 'ready') return (JSON.parse(event.data) as { match: Match }).match;
    }
  } catch {
    // Dropped connection, abort, bad JSON: polling carries on.
  }
  return undefined;
}

interface SseEvent {
  readonly type: string;
  readonly data: string;
}

/** More than a match could need: a server (or proxy) that never ends a line or an event ends the push instead. */
const MAX_BUFFERED_CHARS = 1 << 20;

/**
 * The events of a text/event-stream body, parsed by eventsource-parser: CR, LF and CRLF line
 * endings, `id` and `retry` fields and comments as the spec has them. An event without `event:`
 * is a `message`. Throws when an unfinished line or event outgrows `maxBufferedChars`.
 */
export async function* readEvents(body: ReadableStream<Uint8Array>, maxBufferedChars = MAX_BUFFERED_CHARS): AsyncGenerator<SseEvent> {
  const parsed: SseEvent[] = [];
  let overflow = false;
  const parser = createParser({
    onEvent: (event) => parsed.push({ type: event.event ?? 'message', data: event.data }),
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') overflow = true;
    },
    maxBufferSize: maxBufferedChars,
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      if (overflow) throw new Error(`event stream buffered more than ${maxBufferedChars} characters`);
      yield* parsed.splice(0);
      // An event the stream ends in the middle of is never dispatched (the spec's rule too).
      if (done) return;
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => {});
  }
}
