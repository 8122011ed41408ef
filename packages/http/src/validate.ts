// Request validation at the edge: bad input is a 4xx problem, never a crash.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Problem } from './problem.ts';

/**
 * 413 problem+json for a body past `maxBytes`. A request that declares its size (Content-Length,
 * not chunked) is judged by it, as hono's bodyLimit does too, but before anything looks at
 * `c.req.raw.body`: on @hono/node-server that getter turns the light request into a full web
 * Request with a stream, an AbortController and a copy of the headers, which cost a ticket
 * request a sixth of its CPU. node:http ends a body at its Content-Length, so the header is the
 * size. Anything else (chunked, no length) is counted as it streams in.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => new Problem(413, 'body-too-large', 'Request body too large', `at most ${maxBytes} bytes`);
  const streamed = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async function limitBody(c, next) {
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    if (Number.parseInt(declared, 10) > maxBytes) throw tooLarge();
    await next();
  };
}

/** The bearer token of a request, or a 401 problem. Length is bounded before anything else looks at it. */
export function bearerToken(header: string | undefined, maxBytes = 8192): string {
  if (header === undefined || !hasBearerScheme(header)) {
    throw new Problem(401, 'missing-token', 'Missing bearer token', undefined, { 'www-authenticate': 'Bearer' });
  }
  const token = header.slice(7).trim();
  if (token.length === 0) throw new Problem(401, 'missing-token', 'Missing bearer token', undefined, { 'www-authenticate': 'Bearer' });
  if (token.length > maxBytes) throw new Problem(401, 'too-large', 'Token too large', `at most ${maxBytes} bytes`);
  return token;
}

/** The scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` name it too. */
function hasBearerScheme(header: string): boolean {
  // The usual spelling first: this runs on every resubmission.
  return header.startsWith('Bearer ') || header.slice(0, 7).toLowerCase() === 'bearer ';
}
