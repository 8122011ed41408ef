// The matchmaker's push (Server-Sent Events), read with fetch: an extra on top of polling.
import { createParser } from 'eventsource-parser';
import type { Fetch } from './http.ts';
import type { MatchView, TicketGrant } from './types.ts';

/** Event names that carry a match's phase (the data is the view); `ping` and others are skipped. */
const PHASES = new Set<string>(['proposed', 'ready', 'assigned', 'cancelled']);

/**
 * Listens on `GET /v1/queue/events` and calls `onView` with each phase of the player's match
 * as the matchmaker pushes it. Resolves when the stream ends (the match settled, the ticket
 * expired), fails or is refused: the caller keeps resubmitting and presenting either way, so
 * nothing here is an error.
 */
export async function watchPush(fetchImpl: Fetch, grant: TicketGrant, signal: AbortSignal, onView: (view: MatchView) => void): Promise<void> {
  try {
    const response = await fetchImpl(`${grant.matchmakerUrl.replace(/\/+$/, '')}/v1/queue/events`, {
      headers: { authorization: `Bearer ${grant.ticket}`, accept: 'text/event-stream' },
      signal,
    });
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      return;
    }
    for await (const event of readEvents(response.body)) {
      if (!PHASES.has(event.type)) continue;
      const view = JSON.parse(event.data) as MatchView;
      // A view that is not what its event says ends the push rather than the search.
      if (view?.status !== event.type || typeof view.match?.id !== 'string') return;
      onView(view);
    }
  } catch {
    // Dropped connection, abort, bad JSON: polling carries on.
  }
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
