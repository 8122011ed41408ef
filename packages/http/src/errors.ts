// One onError for every app: known refusals become problem+json, the rest a generic 500.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { TicketError } from '@ticketbooth/tickets';
import type { Answer } from './fast-lane.ts';
import { Problem, problemAnswer, problemResponse } from './problem.ts';

/** How a refused token reads over HTTP: 401 with the ticket error code in `type`. */
export function ticketProblem(error: TicketError, what = 'token'): Problem {
  return new Problem(401, error.code.replaceAll('_', '-'), `Invalid ${what}`, error.message, {
    'www-authenticate': `Bearer error="invalid_token"`,
  });
}

export interface ErrorHandlerOptions {
  /** Where unexpected errors are reported; they never reach the client. */
  readonly log?: (error: unknown, c: Context) => void;
}

export function createErrorHandler(options: ErrorHandlerOptions = {}): ErrorHandler {
  const log = options.log ?? ((error: unknown) => console.error(error));
  return function handleError(error, c) {
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      const code = status === 413 ? 'body-too-large' : status === 400 ? 'malformed-json' : status === 415 ? 'unsupported-media-type' : `http-${status}`;
      return problemResponse(c, new Problem(status, code, error.message || 'Request refused'));
    }
    const answer = errorAnswer(error, (unexpected) => log(unexpected, c));
    return c.body(answer.body, answer.status as ContentfulStatusCode, answer.headers);
  };
}

/**
 * Known refusals as their problem, anything else logged and a generic 500: what
 * `createErrorHandler` answers, also for code that answers without Hono (a fast lane).
 */
export function errorAnswer(error: unknown, log: (error: unknown) => void = console.error): Answer {
  if (error instanceof Problem) return problemAnswer(error);
  if (error instanceof TicketError) return problemAnswer(ticketProblem(error));
  log(error);
  return problemAnswer(INTERNAL);
}

const INTERNAL = new Problem(500, 'internal', 'Internal server error');

export const notFound: NotFoundHandler = function notFound(c) {
  return problemResponse(c, new Problem(404, 'not-found', 'No such resource', `${c.req.method} ${c.req.path}`));
};
