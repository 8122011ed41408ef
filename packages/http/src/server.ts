// Serving a Hono app on Node with timeouts set and a clean stop.
import { createAdaptorServer } from '@hono/node-server';
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MAX_UNANSWERED, installLane, type FastLane } from './fast-lane.ts';

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
   * The one route hot enough that node:http's request and response objects are most of its
   * cost, answered on the raw socket: see fast-lane.ts. The app must answer the same route
   * the same way, for the requests the lane leaves to it.
   */
  readonly lane?: FastLane;
  /**
   * Open connections at most (node:http's server.maxConnections); past it a new one is closed
   * at once. What one connection whose client sends without reading can make the server hold
   * is bounded (see fast-lane.ts; node:http holds about one read of pipelined requests as
   * request and response objects), so this bounds what such clients cost together. Default 10,000.
   */
  readonly maxConnections?: number;
  /**
   * Connections the kernel queues before this process accepts them (capped by the kernel's
   * net.core.somaxconn). Default 4,096, not node's 511: thousands of clients reconnect at once
   * after a restart or a network blip, and a full queue drops their SYNs, each dropped one
   * costing its client a retransmission 1, then 3, then 7 seconds later.
   */
  readonly backlog?: number;
}

const MAX_HEADER_BYTES = 16_384;
const MAX_CONNECTIONS = 10_000;
const BACKLOG = 4_096;

/**
 * Cuts off a connection with more unanswered requests than any client that reads its answers
 * would have. node:http keeps parsing a pipelining client's requests while their handlers run,
 * and queues each answer behind the one before it; when the client stops reading, the first
 * answer never finishes and everything behind it stays in memory, without bound.
 */
function boundUnanswered(listener: RequestListener): RequestListener {
  const unanswered = new WeakMap<Socket, number>();
  return function boundedRequest(req, res) {
    const socket = req.socket;
    const count = (unanswered.get(socket) ?? 0) + 1;
    if (count > MAX_UNANSWERED) {
      cutOff(socket);
      return;
    }
    unanswered.set(socket, count);
    res.once('close', () => unanswered.set(socket, (unanswered.get(socket) ?? 1) - 1));
    listener(req, res);
  };
}

/**
 * Destroys a connection and stops node:http making requests of the rest of the read it is
 * parsing. node:http parses a whole read (up to 64 KiB: ~1,800 of the smallest requests) before
 * it looks at the socket again, and makes a request, a response and, once the socket is gone,
 * an 'aborted' error for each; 100 clients sending such reads held ~300 MiB and killed a server
 * with a 128 MiB heap. A headers callback that answers -1 ends the parse (llhttp's callback
 * error), which node:http takes for a client error on a socket already destroyed. `parser` is
 * node:http's own field (Node 20 and 24 alike); without it, the cut-off is one read later.
 */
function cutOff(socket: Socket): void {
  socket.destroy();
  const parser = (socket as Socket & { parser?: { onIncoming?: unknown } | null }).parser;
  if (parser !== undefined && parser !== null && typeof parser.onIncoming === 'function') parser.onIncoming = () => -1;
}

export function startServer(options: ServeOptions): Promise<ServerHandle> {
  const hostname = options.hostname ?? '127.0.0.1';
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 5_000;
  const headersTimeoutMs = options.headersTimeoutMs ?? 5_000;
  const lane = options.lane;
  let closeLane = () => {};
  const withLane = (serverOptions: ServerOptions, listener: RequestListener): Server => {
    const server = createServer(serverOptions, listener);
    server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
    if (lane !== undefined) closeLane = installLane(server, lane, { maxHeaderBytes: MAX_HEADER_BYTES, keepAliveTimeoutMs, headersTimeoutMs }).closeIdle;
    // Around whatever answers node:http's requests now, the lane's hand-over included, so the
    // requests whose answers the lane had already made count too.
    const [answer] = server.rawListeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', boundUnanswered(answer!));
    return server;
  };
  return new Promise((resolve, reject) => {
    const server = createAdaptorServer({
      fetch: options.fetch,
      hostname,
      createServer: withLane as typeof createServer,
      serverOptions: {
        requestTimeout: options.requestTimeoutMs ?? 10_000,
        headersTimeout: headersTimeoutMs,
        keepAliveTimeout: keepAliveTimeoutMs,
        maxHeaderSize: MAX_HEADER_BYTES,
      },
    }) as Server;
    server.once('error', reject);
    server.listen({ port: options.port, host: hostname, backlog: options.backlog ?? BACKLOG });
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            closeLane();
          }),
      });
    });
  });
}

/**
 * Runs `stop` once on SIGINT or SIGTERM, then exits: 0 when it stopped cleanly, 1 when stopping
 * failed (a supervisor should know). The same signal again while stopping (Ctrl-C twice) exits
 * at once, with 1; the other one is ignored: a terminal's Ctrl-C reaches a child service and
 * its supervisor alike, and the supervisor then sends SIGTERM.
 */
export function onShutdown(stop: (signal: NodeJS.Signals) => Promise<void>, log: ShutdownLog = CONSOLE): void {
  let stopping: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping === signal) {
      log.error({ signal }, 'second signal while stopping: exiting now');
      process.exit(1);
    }
    if (stopping !== undefined) return;
    stopping = signal;
    log.info({ signal }, 'stopping');
    stop(signal).then(
      () => {
        log.info({ signal }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ signal, err: error }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** The two levels onShutdown logs at (a pino logger fits). */
export interface ShutdownLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const CONSOLE: ShutdownLog = {
  info: (fields, message) => console.log(message, fields),
  error: (fields, message) => console.error(message, fields),
};
