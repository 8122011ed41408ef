// Server-Sent Events: push a waiting player's match and each step of its life until it is
// settled; resubmission polling works without it.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { Problem } from '@ticketbooth/http';
import { isSettled } from './lifecycle.ts';
import type { Found } from './matchmaker.ts';
import type { MatchResult } from './results.ts';
import type { RouteContext } from './routes/context.ts';
import { viewBody } from './routes/queue.ts';

const TOO_MANY = new Problem(503, 'too-many-streams', 'Too many event streams', 'poll by resubmitting instead', { 'retry-after': '5' });

/**
 * Streams an event per phase of the player's match (`proposed`, `ready`, `assigned`,
 * `cancelled`, named by status) and ends once it is settled; until then a `ping` every
 * resubmit interval (data `{estimatedWaitMs}`) keeps proxies from closing it. It ends at the latest when the ticket
 * expires: the client refreshes its ticket anyway, and presents a match it holds meanwhile.
 */
export function streamMatch(c: Context, { mm, resubmitIntervalMs: pingMs, now }: RouteContext, found: Found): Response {
  let pending: MatchResult | undefined = found.result;
  let wake: () => void = () => {};
  let unsubscribe: (() => void) | undefined;
  let listening = true;
  // Each step is published once per member: listen again at once, so none is missed meanwhile.
  const listen = (): boolean => {
    unsubscribe = mm.watch(found.sub, (result) => {
      pending = result;
      if (listening) listen();
      wake();
    });
    return unsubscribe !== undefined;
  };
  if (!listen() && pending === undefined) throw TOO_MANY;
  return streamSSE(c, async (stream) => {
    let closed = false;
    stream.onAbort(() => {
      closed = true;
      wake();
    });
    try {
      while (!closed) {
        if (pending === undefined) {
          const untilExpiry = found.expiresAt - now();
          if (untilExpiry <= 0 || unsubscribe === undefined) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.min(pingMs, untilExpiry));
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          // While searching, each ping carries the pool's recent time-to-match.
          if (pending === undefined && !closed) await stream.writeSSE({ event: 'ping', data: `{"estimatedWaitMs":${mm.estimatedWaitMs(found.pool)}}` });
          continue;
        }
        const result = pending;
        pending = undefined;
        // Its turn in the signing queue: thousands of streams woken by one tick must not all
        // sign their tokens in the same turn of the event loop.
        await mm.whenSigned(result.match);
        if (closed) break;
        const view = mm.viewOf(result, found.sub);
        await stream.writeSSE({ event: view.status, id: result.match.id, data: JSON.stringify(viewBody(view)) });
        mm.pushed(view, found.sub);
        if (isSettled(view)) break;
      }
    } finally {
      listening = false;
      unsubscribe?.();
    }
  });
}
