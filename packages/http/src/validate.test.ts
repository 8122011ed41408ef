import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createErrorHandler, notFound } from './errors.ts';
import { Problem } from './problem.ts';
import { bearerToken, validate } from './validate.ts';

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof Problem ? `${error.status} ${error.code}` : String(error);
  }
  return undefined;
}

describe('bearerToken', () => {
  it('reads the scheme in any case, as RFC 9110 has it', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect(bearerToken(`${scheme} abc`), scheme).toBe('abc');
    }
  });

  it('still refuses other schemes, a scheme alone and a token without one', () => {
    for (const header of [undefined, 'Basic abc', 'bearer', 'bearer ', 'bearerabc', 'abc']) {
      expect(refusal(() => bearerToken(header)), String(header)).toBe('401 missing-token');
    }
  });
});

describe('validate json', () => {
  const app = new Hono();
  app.onError(createErrorHandler({ log: () => {} }));
  app.notFound(notFound);
  app.post('/things', validate('json', z.object({ name: z.string().optional() })), (c) => c.json(c.req.valid('json')));
  const post = (headers: Record<string, string>) => app.request('/things', { method: 'POST', body: '{"name":"x"}', headers });

  it('refuses a body not labelled application/json with 415, even when every field is optional', async () => {
    const labels: Record<string, string>[] = [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'application/merge-patch+json' }];
    for (const headers of labels) {
      const res = await post(headers);
      expect(res.status, JSON.stringify(headers)).toBe(415);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({
        type: '/problems/unsupported-media-type',
        code: 'unsupported-media-type',
        status: 415,
        detail: 'the request body must be sent as application/json',
      });
    }
  });

  it('takes application/json with parameters and in any case', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
      const res = await post({ 'content-type': type });
      expect(res.status, type).toBe(200);
      expect(await res.json()).toEqual({ name: 'x' });
    }
  });
});
