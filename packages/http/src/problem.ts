// RFC 9457 problem details: the one shape every error response takes.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Answer } from './fast-lane.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * A refusal with a stable `code`; the response's `type` is `/problems/<code>`.
 * Handlers throw it; the app's `onError` writes it.
 *
 * @example
 * throw new Problem(409, 'username-taken', 'That username is taken');
 */
export class Problem extends Error {
  override readonly name = 'Problem';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${code}: ${detail ?? title}`);
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  [extra: string]: unknown;
}

export function problemBody(problem: Problem): ProblemBody {
  return {
    ...problem.extra,
    type: `/problems/${problem.code}`,
    title: problem.title,
    status: problem.status,
    code: problem.code,
    ...(problem.detail === undefined ? {} : { detail: problem.detail }),
  };
}

/** The whole response a problem makes, for a Hono route or a fast lane alike. */
export function problemAnswer(problem: Problem): Answer {
  return {
    status: problem.status,
    headers: { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' },
    body: JSON.stringify(problemBody(problem)),
  };
}

export function problemResponse(c: Context, problem: Problem): Response {
  const answer = problemAnswer(problem);
  return c.body(answer.body, problem.status, answer.headers);
}
