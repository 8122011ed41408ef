// Serving a Hono app on Node with timeouts set and a clean stop.
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
}

export function startServer(options: ServeOptions): Promise<ServerHandle> {
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({
      fetch: options.fetch,
      port: options.port,
      hostname,
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
