// Logs as JSON lines (pino): one per answered request with its request id, none per request
// on a hot path (those are counted; errors and a sample are logged).
import type { Context, MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** `LOG_LEVEL` by default, else info. */
  readonly level?: string;
  /** Where lines go; stdout (written synchronously) by default. */
  readonly destination?: DestinationStream;
}

/**
 * @example
 * const log = createLogger('ticketbooth-issuer');
 * log.info({ url }, 'listening'); // {"level":"info","time":"…","service":"ticketbooth-issuer","url":"…","msg":"listening"}
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  return pino(
    {
      base: { service },
      level: options.level ?? levelFromEnv(),
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names rather than numbers: a reader of the raw lines should not need a table.
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous: a line logged just before process.exit (stopped, fatal) is written, and in
    // order. Nothing on a hot path logs per request, so the cost of a blocking write is rare.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * LOG_LEVEL when it names a level, else info: the services check their environment (and
 * refuse a bad LOG_LEVEL with a readable message) after their logger exists.
 */
function levelFromEnv(): string {
  const level = process.env.LOG_LEVEL;
  return level !== undefined && Object.hasOwn(pino.levels.values, level) ? level : level === 'silent' ? 'silent' : 'info';
}

export interface RequestLogOptions {
  /**
   * Requests counted, not logged (a hot path: thousands a second would drown the log and cost
   * more than the answer), unless they fail with a 5xx other than 503.
   */
  readonly quiet?: (method: string, path: string) => boolean;
  /** One quiet request in this many is logged anyway, marked `sampled`. Default 1,000. */
  readonly sampleEvery?: number;
  /** Every answered request, for metrics. */
  readonly onAnswered?: (method: string, route: string, status: number, seconds: number) => void;
}

export type RequestIdEnv = { Variables: { requestId: string } };

/**
 * Hono middleware: a request id (the client's `X-Request-Id` when it is a plain token of at
 * most 255 characters, else a new UUID; echoed in the answer), then one log line per answer
 * with method, path, status and duration. Errors logged by the error handler carry the same id.
 */
export function requestLogging(log: Logger, options: RequestLogOptions = {}): MiddlewareHandler[] {
  const sampleEvery = options.sampleEvery ?? 1_000;
  let quietSeen = 0;
  const logged: MiddlewareHandler = async function logRequest(c, next) {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const { method, path } = c.req;
    const status = c.res.status;
    options.onAnswered?.(method, c.req.routePath, status, seconds);
    let sampled: number | undefined;
    // A 503 on a hot path (busy, at capacity) comes as often as the requests: counted too.
    if ((status < 500 || status === 503) && options.quiet?.(method, path)) {
      if (++quietSeen % sampleEvery !== 0) return;
      sampled = sampleEvery;
    }
    const line = { reqId: requestIdOf(c), method, path, status, ms: Math.round(seconds * 10_000) / 10, ...(sampled ? { sampled } : {}) };
    // 503 is a refusal the service chose (not ready, at capacity): worth a warning, not an alarm.
    if (status >= 500 && status !== 503) log.error(line, 'request failed');
    else if (status === 503) log.warn(line, 'request refused: unavailable');
    else log.info(line, 'request');
  };
  return [requestId(), logged];
}

/** The request id `requestLogging` gave this request, if it ran. */
export function requestIdOf(c: Context): string | undefined {
  return (c.get as (key: string) => unknown)('requestId') as string | undefined;
}
