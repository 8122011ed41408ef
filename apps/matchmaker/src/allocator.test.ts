import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AllocationFailed, createAllocator } from './allocator.ts';
import type { Match } from './results.ts';

const match: Match = { id: 'match-1', pool: { mode: 'duel', region: 'eu' }, teams: [[{ sub: 'a', rating: 1 }], [{ sub: 'b', rating: 2 }]], token: 'v4.public.x' };
const servers: ReturnType<typeof createServer>[] = [];

/** A real HTTP allocator on loopback answering each request in turn with `answers` (the last one repeats). */
async function allocatorAnswering(...answers: ((req: IncomingMessage, res: ServerResponse) => void)[]) {
  const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      answers[Math.min(seen.length, answers.length) - 1]!(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/allocations`, seen };
}

const json = (status: number, value: unknown) => (_: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};
const options = { timeoutMs: 300, attempts: 3, maxBackoffMs: 10, sleep: async () => {} };

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('createAllocator', () => {
  it('posts the match with its id as idempotency key and returns the connection details', async () => {
    const { url, seen } = await allocatorAnswering(json(200, { connect: 'gs-1.example:7777', details: { server: 'gs-1', secret: 'abc' } }));
    const allocation = await createAllocator({ url, ...options })(match);
    expect(allocation).toEqual({ connect: 'gs-1.example:7777', details: { server: 'gs-1', secret: 'abc' } });
    expect(seen[0]!.headers['idempotency-key']).toBe('match-1');
    expect(JSON.parse(seen[0]!.body)).toEqual({ matchId: 'match-1', pool: match.pool, teams: match.teams, match: 'v4.public.x' });
  });

  it('retries garbage, 5xx and answers without a valid connect, then succeeds', async () => {
    const garbage = (_: IncomingMessage, res: ServerResponse) => res.end('<html>oops');
    const { url, seen } = await allocatorAnswering(garbage, json(503, {}), json(200, { connect: 'not an address' }), json(200, { connect: '[::1]:9000' }));
    await expect(createAllocator({ url, ...options, attempts: 4 })(match)).resolves.toEqual({ connect: '[::1]:9000' });
    expect(seen).toHaveLength(4);
  });

  it('gives up after the last attempt with the reason', async () => {
    const { url, seen } = await allocatorAnswering(json(500, {}));
    const failed = await createAllocator({ url, ...options })(match).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AllocationFailed);
    expect(failed).toMatchObject({ attempts: 3, message: 'allocator answered 500 (3 attempts)' });
    expect(seen).toHaveLength(3);
  });

  it('a refusal (4xx) is not retried', async () => {
    const { url, seen } = await allocatorAnswering(json(400, { error: 'bad pool' }));
    await expect(createAllocator({ url, ...options })(match)).rejects.toMatchObject({ attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it('an allocator that hangs, or streams without end, costs each attempt its deadline and no more', async () => {
    const hang = await allocatorAnswering(() => {});
    const started = performance.now();
    await expect(createAllocator({ url: hang.url, ...options, attempts: 2 })(match)).rejects.toMatchObject({ message: 'allocator no answer within 300 ms (2 attempts)' });
    expect(performance.now() - started).toBeLessThan(2_000);
    const flood = await allocatorAnswering((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"connect":"a:1","x":"${'x'.repeat(20_000)}`);
    });
    await expect(createAllocator({ url: flood.url, ...options, attempts: 1 })(match)).rejects.toMatchObject({ message: 'allocator answer larger than 16384 bytes (1 attempts)' });
  });

  it('an unreachable allocator is retried, then given up', async () => {
    const { url } = await allocatorAnswering(json(200, {}));
    const closed = servers.pop()!;
    closed.closeAllConnections();
    await new Promise((resolve) => closed.close(resolve));
    await expect(createAllocator({ url, ...options })(match)).rejects.toMatchObject({ message: 'allocator unreachable (3 attempts)' });
  });
});
