// The matchmaker's `ready` push (Server-Sent Events), read with fetch: an extra on top of polling.
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

/** Minimal text/event-stream parsing: `event:` and `data:` fields, dispatched on a blank line. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let type = 'message';
  let data: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r?\n/)) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer[newline] === '\r' ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield { type, data: data.join('\n') };
          type = 'message';
          data = [];
        } else if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => {});
  }
}
