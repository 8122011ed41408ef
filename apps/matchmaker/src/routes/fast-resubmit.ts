// The resubmission of a queued ticket, answered before Hono: it is nearly all the traffic,
// and a fetch Request and Response per call cost more than the work itself.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Matchmaker } from '../matchmaker.ts';
import { searchingBody } from './queue.ts';

const MAX_TOKEN_BYTES = 8192;

/**
 * A `preroute` for `startServer`: answers `POST /v1/queue` when the bearer ticket is
 * already queued, with the same bytes the Hono route would send. Anything else (a new
 * or refused ticket, a body, a query, another route) is left untouched for the app,
 * which owns validation and errors.
 *
 * @example
 * await startServer({ fetch: app.fetch, port, preroute: fastResubmit(matchmaker) })
 */
export function fastResubmit(mm: Matchmaker): (request: IncomingMessage, response: ServerResponse) => boolean {
  const searchingJson = searchingBody(mm);
  return (request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/queue') return false;
    const token = plainBearer(request.rawHeaders);
    if (token === undefined) return false;
    const entry = mm.refreshQueued(token);
    if (entry === undefined) return false;
    const body = searchingJson(entry);
    // ASCII only (pool names are slugs, the rest digits), so its length is its byte length.
    response.writeHead(200, ['content-type', 'application/json', 'content-length', String(body.length)]);
    response.end(body);
    return true;
  };
}

/** The bearer token of a request without a body, or undefined when the app should look. */
function plainBearer(rawHeaders: readonly string[]): string | undefined {
  let token: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      const value = rawHeaders[i + 1]!;
      if (token !== undefined || !value.startsWith('Bearer ') || value.length > 7 + MAX_TOKEN_BYTES) return undefined;
      token = value.slice(7);
    } else if (name.length === 14 && name.toLowerCase() === 'content-length') {
      if (rawHeaders[i + 1] !== '0') return undefined;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      return undefined;
    }
  }
  return token;
}
