// The request body limit, without building a web Request for bodies whose size is declared.
import type { MiddlewareHandler } from 'hono';
import { Problem, limitBody } from '@ticketbooth/http';

/**
 * `limitBody` (413 problem+json past `maxBytes`) deciding from Content-Length when the request
 * declares one and is not chunked, as hono's bodyLimit does too, but before it looks at
 * `c.req.raw.body`: on @hono/node-server that getter turns the light request into a full web
 * Request with a stream, an AbortController and a copy of the headers, which cost a ticket
 * request a sixth of its CPU. node:http ends a body at its Content-Length, so the header is
 * the size. Anything else (chunked, no length) goes through `limitBody` itself.
 */
export function limitBodyBySize(maxBytes: number): MiddlewareHandler {
  const streamed = limitBody(maxBytes);
  return async function limitBodyBySize(c, next) {
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    if (Number.parseInt(declared, 10) > maxBytes) throw new Problem(413, 'body-too-large', 'Request body too large', `at most ${maxBytes} bytes`);
    await next();
  };
}
