// The reference game-server allocator: the other side of the matchmaker's allocation hook
// (docs/game-servers.md, "The allocator contract"), for local runs, tests and simulations.
// It hands out addresses; no game server listens on them.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchClaims } from '@ticketbooth/tickets';
import { z } from 'zod';

export interface AllocatorOptions {
  /** 0 (the default) takes a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0..1: the share of allocation requests answered 503, before anything is recorded. */
  readonly failRate?: number;
  /** Waited before each answer to an allocation request. */
  readonly delayMs?: number;
  /** Never answer an allocation request: for timeouts. */
  readonly hang?: boolean;
  /** The first port handed out (default 7000); ports count up within 1,000 from it, then wrap. */
  readonly firstPort?: number;
  readonly random?: () => number;
  /** Told of each new allocation (not of repeated answers). */
  readonly onAllocated?: (matchId: string, allocation: AllocatedServer) => void;
}

export interface AllocatedServer {
  readonly connect: string;
  readonly details: { readonly server: string };
}

export interface RunningAllocator {
  /** The allocation endpoint, e.g. http://127.0.0.1:8702/v1/allocations: the matchmaker's ALLOCATOR_URL. */
  readonly url: string;
  /** Allocation requests received (valid ones, for `matchId`; all of them without it). */
  calls(matchId?: string): number;
  readonly allocations: ReadonlyMap<string, AllocatedServer>;
  close(): Promise<void>;
}

export const ALLOCATIONS_PATH = '/v1/allocations';
const MAX_BODY_BYTES = 65_536;
const PORTS = 1_000;

// The claims' own shapes: the matchmaker sends what it signed. Unknown fields are let through,
// so that a matchmaker sending more than this version knows still gets its servers.
const requestSchema = z.object({
  matchId: matchClaims.shape.jti,
  pool: matchClaims.shape.pool,
  teams: matchClaims.shape.teams,
  match: z.string().min(1).max(8_192),
});

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const problem = (status: number, code: string, title: string, detail?: string, headers?: Record<string, string>): Answer => ({
  status,
  body: { type: `/problems/${code}`, title, status, code, ...(detail === undefined ? {} : { detail }) },
  headers: { 'content-type': 'application/problem+json', ...headers },
});

/**
 * Starts the reference allocator. The same match id always gets the same server, as the
 * contract asks: a matchmaker re-calls after a timeout or a restart.
 *
 * @example
 * const allocator = await startAllocator({ failRate: 0.2 });
 * // ALLOCATOR_URL=allocator.url for the matchmaker; allocator.calls(matchId), allocator.allocations
 * await allocator.close();
 */
export async function startAllocator(options: AllocatorOptions = {}): Promise<RunningAllocator> {
  const { failRate = 0, delayMs = 0, firstPort = 7_000, random = Math.random } = options;
  if (!(failRate >= 0 && failRate <= 1)) throw new TypeError('failRate must be within 0..1');
  if (!(Number.isFinite(delayMs) && delayMs >= 0)) throw new TypeError('delayMs must be >= 0');
  if (!(Number.isInteger(firstPort) && firstPort >= 1 && firstPort + PORTS - 1 <= 65_535)) throw new TypeError(`firstPort must be within 1..${65_536 - PORTS}`);
  const allocations = new Map<string, AllocatedServer>();
  const callsById = new Map<string, number>();
  let callsInAll = 0;
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function allocationOf(matchId: string): AllocatedServer {
    const known = allocations.get(matchId);
    if (known !== undefined) return known;
    const n = allocations.size;
    const allocation = { connect: `127.0.0.1:${firstPort + (n % PORTS)}`, details: { server: `gs-${n + 1}` } };
    allocations.set(matchId, allocation);
    options.onAllocated?.(matchId, allocation);
    return allocation;
  }

  /** Undefined: never answer. */
  async function allocate(req: IncomingMessage): Promise<Answer | undefined> {
    callsInAll++;
    const mediaType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') return problem(415, 'unsupported-media-type', 'Send application/json');
    const text = await readBody(req, MAX_BODY_BYTES);
    if (text === undefined) return problem(413, 'body-too-large', 'Body too large', `at most ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return problem(400, 'malformed-json', 'Malformed JSON');
    }
    const parsed = requestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return problem(400, 'invalid-request', 'Invalid allocation request', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const { matchId } = parsed.data;
    const key = req.headers['idempotency-key'];
    if (key !== undefined && key !== matchId) return problem(400, 'idempotency-key-mismatch', 'Idempotency-Key is not the match id');
    callsById.set(matchId, (callsById.get(matchId) ?? 0) + 1);
    if (options.hang) return undefined;
    if (delayMs > 0) await wait(delayMs);
    if (failRate > 0 && random() < failRate) return problem(503, 'unavailable', 'No game server right now', undefined, { 'retry-after': '1' });
    return { status: 200, body: allocationOf(matchId) };
  }

  function lookUp(matchId: string): Answer {
    const allocation = allocations.get(matchId);
    return allocation === undefined ? problem(404, 'not-allocated', 'No allocation for this match') : { status: 200, body: allocation };
  }

  async function answer(req: IncomingMessage): Promise<Answer | undefined> {
    const path = new URL(req.url ?? '/', 'http://allocator').pathname;
    if (path === ALLOCATIONS_PATH) {
      if (req.method === 'POST') return allocate(req);
      // What a simulation reports when the allocator runs as its own process.
      if (req.method === 'GET') return { status: 200, body: { requests: callsInAll, allocations: allocations.size } };
      return problem(405, 'method-not-allowed', 'Method not allowed', undefined, { allow: 'GET, POST' });
    }
    if (path.startsWith(`${ALLOCATIONS_PATH}/`) && path.length > ALLOCATIONS_PATH.length + 1) {
      if (req.method !== 'GET') return problem(405, 'method-not-allowed', 'Method not allowed', undefined, { allow: 'GET' });
      let matchId: string;
      try {
        matchId = decodeURIComponent(path.slice(ALLOCATIONS_PATH.length + 1));
      } catch {
        return problem(404, 'not-allocated', 'No allocation for this match');
      }
      return lookUp(matchId);
    }
    return problem(404, 'not-found', 'Not found');
  }

  const server = createServer((req, res) => {
    answer(req).then(
      (result) => result !== undefined && send(res, result),
      () => send(res, problem(500, 'internal', 'Internal error')),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => (server.off('error', reject), resolve()));
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}${ALLOCATIONS_PATH}`,
    calls: (matchId) => (matchId === undefined ? callsInAll : (callsById.get(matchId) ?? 0)),
    allocations,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Hung and delayed requests included: closing must not wait for answers never coming.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

/** The body as text; undefined once it passes `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
