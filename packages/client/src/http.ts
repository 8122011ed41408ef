// fetch with a deadline, turning problem+json answers and transport failures into TicketboothError.
import { TicketboothError } from './errors.ts';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface JsonRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: string;
  readonly token?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Sends a request and returns the parsed JSON body (undefined for 204), or throws TicketboothError. */
export async function requestJson(fetchImpl: Fetch, req: JsonRequest): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const deadline = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
  let response: Response;
  try {
    response = await fetchImpl(req.url, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal,
    });
  } catch (error) {
    if (req.signal?.aborted) throw req.signal.reason;
    if (deadline.aborted) throw new TicketboothError(0, 'timeout', `${req.method} ${req.url} timed out`);
    throw new TicketboothError(0, 'network', `${req.method} ${req.url} failed: ${(error as Error).message}`);
  }
  if (response.status === 204) return undefined;
  const text = await response.text();
  const body = parseJson(text);
  if (response.ok) {
    if (body === undefined) throw new TicketboothError(response.status, 'bad-response', 'response is not JSON');
    return body;
  }
  throw problemError(response, body);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function problemError(response: Response, body: unknown): TicketboothError {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code = typeof problem.code === 'string' ? problem.code : `http-${response.status}`;
  const message = [problem.title, problem.detail].filter((s) => typeof s === 'string').join(': ') || response.statusText;
  return new TicketboothError(response.status, code, message, retryAfterMs(response.headers.get('retry-after')));
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
