// Serving a Hono app on Node with timeouts set and a clean stop.
import { serve } from '@hono/node-server';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROBLEM_CONTENT_TYPE, Problem, problemBody } from './problem.ts';

export interface ServerHandle {
  readonly port: number;
  readonly url: string;
  /** Stops accepting, ends idle keep-alive sockets, resolves when closed. */
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  readonly port: number;
  readonly hostname?: string;
  /** Whole-request deadline; slow clients cannot hold a socket forever. Default 10 s. */
  readonly requestTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  readonly keepAliveTimeoutMs?: number;
  /**
   * Sees each request before the app: answers it on the raw Node objects and returns true,
   * or returns false, untouched, and the app answers. For the one route hot enough that
   * building a fetch Request and Response per call is most of its cost.
   */
  readonly preroute?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

export function startServer(options: ServeOptions): Promise<ServerHandle> {
  const hostname = options.hostname ?? '127.0.0.1';
  const preroute = options.preroute;
  return new Promise((resolve, reject) => {
    const server = serve({
      fetch: options.fetch,
      port: options.port,
      hostname,
      ...(preroute === undefined ? {} : { createServer: withPreroute(preroute) as typeof createServer }),
      serverOptions: {
        requestTimeout: options.requestTimeoutMs ?? 10_000,
        headersTimeout: options.headersTimeoutMs ?? 5_000,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
        maxHeaderSize: 16_384,
      },
    }) as Server;
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

const INTERNAL = JSON.stringify(problemBody(new Problem(500, 'internal', 'Internal server error')));

function withPreroute(preroute: NonNullable<ServeOptions['preroute']>) {
  return (serverOptions: ServerOptions, listener: RequestListener): Server =>
    createServer(serverOptions, (request, response) => {
      let answered: boolean;
      try {
        answered = preroute(request, response);
      } catch (error) {
        // As the app's error handler would: logged, a 500 problem, the process keeps serving.
        console.error('preroute failed:', error);
        if (response.headersSent) response.destroy();
        else response.writeHead(500, { 'content-type': PROBLEM_CONTENT_TYPE }).end(INTERNAL);
        return;
      }
      if (!answered) void listener(request, response);
    });
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop()
      .catch((error: unknown) => console.error(`error while stopping on ${signal}:`, error))
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
