// Request validation at the edge: bad input is a 4xx problem, never a crash.
import { zValidator } from '@hono/zod-validator';
import type { MiddlewareHandler, ValidationTargets } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { Problem } from './problem.ts';

/**
 * `zValidator` whose failures are problem+json `invalid-request` (and
 * `malformed-json` for a body that is not JSON), naming the first bad field.
 * A `json` body must be labelled `application/json`: 415 `unsupported-media-type` otherwise.
 *
 * @example
 * app.post('/v1/accounts', validate('json', accountSchema), (c) => c.req.valid('json'))
 */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  const check = zValidator(target, schema, (result) => {
    if (result.success) return;
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || target;
    throw new Problem(400, 'invalid-request', 'Invalid request', `${where}: ${issue?.message ?? 'invalid'}`);
  });
  if (target !== 'json') return check;
  // Without this, zValidator reads an unlabelled body as `{}` and the client is told a field is missing.
  const jsonOnly: typeof check = (c, next) => {
    requireJson(c.req.header('content-type'));
    return check(c, next);
  };
  return jsonOnly;
}

/** Refuses a body not labelled `application/json` (parameters such as `charset` are fine). */
function requireJson(contentType: string | undefined): void {
  const mediaType = contentType?.split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new Problem(415, 'unsupported-media-type', 'Unsupported media type', 'the request body must be sent as application/json');
  }
}

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
