// Server-Sent Events: push `ready` to a waiting player; resubmission polling works without it.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { Problem } from '@ticketbooth/http';
import type { Found } from './matchmaker.ts';
import type { MatchResult } from './results.ts';
import type { RouteContext } from './routes/context.ts';

/**
 * Streams one `ready` event and ends; until then a `ping` every resubmit
 * interval keeps proxies from closing it. Ends at the latest when the ticket
 * expires: the client has to refresh its ticket anyway.
 */
export function streamMatch(
  c: Context,
  { mm, resubmitIntervalMs: pingMs, now }: RouteContext,
  found: Found,
  body: (result: MatchResult) => unknown,
): Response {
  let result = found.result;
  let wake: () => void = () => {};
  const unsubscribe =
    result === undefined
      ? mm.watch(found.sub, (matched) => {
          result = matched;
          wake();
        })
      : () => {};
  if (unsubscribe === undefined) {
    throw new Problem(503, 'too-many-streams', 'Too many event streams', 'poll by resubmitting instead', { 'retry-after': '5' });
  }
  return streamSSE(c, async (stream) => {
    let closed = false;
    stream.onAbort(() => {
      closed = true;
      wake();
    });
    try {
      while (result === undefined && !closed) {
        const untilExpiry = found.expiresAt - now();
        if (untilExpiry <= 0) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(pingMs, untilExpiry));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (result === undefined && !closed) await stream.writeSSE({ event: 'ping', data: '{}' });
      }
      if (result !== undefined && !closed) {
        // Its turn in the signing queue: thousands of streams woken by one tick must not all
        // sign their tokens in the same turn of the event loop.
        await mm.whenSigned(result.match);
        if (!closed) {
          await stream.writeSSE({ event: 'ready', id: result.match.id, data: JSON.stringify(body(result)) });
          mm.pushed(result, found.sub);
        }
      }
    } finally {
      unsubscribe();
    }
  });
}
