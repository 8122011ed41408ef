// Request validation at the edge: bad input is a 400 problem, never a crash.
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { Problem } from './problem.ts';

/**
 * `zValidator` whose failures are problem+json `invalid-request` (and
 * `malformed-json` for a body that is not JSON), naming the first bad field.
 *
 * @example
 * app.post('/v1/accounts', validate('json', accountSchema), (c) => c.req.valid('json'))
 */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (result.success) return;
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || target;
    throw new Problem(400, 'invalid-request', 'Invalid request', `${where}: ${issue?.message ?? 'invalid'}`);
  });
}

/** Rejects bodies over `maxBytes` (declared or streamed) with 413 problem+json. */
export function limitBody(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new Problem(413, 'body-too-large', 'Request body too large', `at most ${maxBytes} bytes`);
    },
  });
}

/** The bearer token of a request, or a 401 problem. Length is bounded before anything else looks at it. */
export function bearerToken(header: string | undefined, maxBytes = 8192): string {
  if (header === undefined || !header.startsWith('Bearer ')) {
    throw new Problem(401, 'missing-token', 'Missing bearer token', undefined, { 'www-authenticate': 'Bearer' });
  }
  const token = header.slice(7).trim();
  if (token.length === 0) throw new Problem(401, 'missing-token', 'Missing bearer token', undefined, { 'www-authenticate': 'Bearer' });
  if (token.length > maxBytes) throw new Problem(401, 'too-large', 'Token too large', `at most ${maxBytes} bytes`);
  return token;
}
