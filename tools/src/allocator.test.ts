import { afterEach, describe, expect, it } from 'vitest';
import { startAllocator, type AllocatorOptions, type RunningAllocator } from './allocator.ts';

const running: RunningAllocator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((allocator) => allocator.close()));
});

async function start(options: AllocatorOptions = {}): Promise<RunningAllocator> {
  const allocator = await startAllocator(options);
  running.push(allocator);
  return allocator;
}

const teams = [[{ sub: 'ada', rating: 1500 }], [{ sub: 'bob', rating: 1510 }]];
const request = (matchId: string) => ({ matchId, pool: { mode: 'duel', region: 'eu' }, teams, match: 'v4.public.token' });

/** POSTs as the matchmaker does (allocator.ts in apps/matchmaker). */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const matchId = (body as { matchId?: unknown }).matchId;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(typeof matchId === 'string' ? { 'idempotency-key': matchId } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

describe('startAllocator', () => {
  it('hands out a server per match on loopback, ports counting up from firstPort', async () => {
    const allocator = await start({ firstPort: 7100 });
    expect(allocator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/allocations$/);
    const first = await post(allocator.url, request('m-1'));
    expect(first).toEqual({ status: 200, type: 'application/json', body: { connect: '127.0.0.1:7100', details: { server: 'gs-1' } } });
    expect((await post(allocator.url, request('m-2'))).body).toEqual({ connect: '127.0.0.1:7101', details: { server: 'gs-2' } });
    expect([...allocator.allocations.keys()]).toEqual(['m-1', 'm-2']);
  });

  it('answers the same match id with the same server every time, and counts the calls', async () => {
    const allocator = await start();
    const answers = await Promise.all([1, 2, 3].map(() => post(allocator.url, request('m-1'))));
    await post(allocator.url, request('m-2'));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(answers[0]!.body).toEqual({ connect: '127.0.0.1:7000', details: { server: 'gs-1' } });
    expect([allocator.calls('m-1'), allocator.calls('m-2'), allocator.calls('m-3'), allocator.calls()]).toEqual([3, 1, 0, 4]);
    // The same counts over HTTP, for a simulator that runs the allocator as its own process.
    expect(await (await fetch(allocator.url)).json()).toEqual({ requests: 4, allocations: 2 });
  });

  it('wraps within 1,000 ports', async () => {
    const allocator = await start({ firstPort: 64_000 });
    for (let i = 0; i < 1_000; i++) await post(allocator.url, request(`m-${i}`));
    expect((await post(allocator.url, request('m-1000'))).body.connect).toBe('127.0.0.1:64000');
    expect(allocator.allocations.get('m-999')!.connect).toBe('127.0.0.1:64999');
  });

  it('GET /v1/allocations/<match id> answers the allocation, 404 problem before it', async () => {
    const allocator = await start();
    const before = await fetch(`${allocator.url}/m%201`);
    expect(before.status).toBe(404);
    expect(before.headers.get('content-type')).toBe('application/problem+json');
    expect(await before.json()).toMatchObject({ status: 404, code: 'not-allocated' });
    await post(allocator.url, request('m 1'));
    const after = await fetch(`${allocator.url}/m%201`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ connect: '127.0.0.1:7000', details: { server: 'gs-1' } });
  });

  it('refuses bad requests with a 400 problem and records nothing', async () => {
    const allocator = await start();
    const cases: [unknown, string][] = [
      ['{"matchId":', 'malformed-json'],
      [{ ...request('m-1'), teams: [[{ sub: 'ada', rating: 1 }]] }, 'invalid-request'],
      [{ ...request('m-1'), pool: { mode: 'Duel', region: 'eu' } }, 'invalid-request'],
      [{ ...request('m-1'), match: '' }, 'invalid-request'],
      [{ pool: request('m-1').pool, teams, match: 'v4.public.token' }, 'invalid-request'],
    ];
    for (const [body, code] of cases) {
      const answer = await post(allocator.url, body);
      expect(answer, code).toMatchObject({ status: 400, type: 'application/problem+json', body: { status: 400, code } });
    }
    expect(await post(allocator.url, request('m-1'), { 'idempotency-key': 'm-2' })).toMatchObject({ status: 400, body: { code: 'idempotency-key-mismatch' } });
    expect(allocator.allocations.size).toBe(0);
    expect(allocator.calls('m-1')).toBe(0);
  });

  it('refuses other media types (415), bodies over 64 KB (413), other methods (405) and paths (404)', async () => {
    const allocator = await start();
    expect((await post(allocator.url, request('m-1'), { 'content-type': 'text/plain' })).status).toBe(415);
    const big = { ...request('m-1'), padding: 'x'.repeat(70_000) };
    expect(await post(allocator.url, big)).toMatchObject({ status: 413, body: { code: 'body-too-large' } });
    const put = await fetch(allocator.url, { method: 'PUT' });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST']);
    expect((await fetch(new URL('/elsewhere', allocator.url))).status).toBe(404);
    expect(allocator.allocations.size).toBe(0);
  });

  it('failRate: answers 503 that often, recording nothing, and the retry gets a server', async () => {
    const draws = [0.1, 0.9];
    const allocator = await start({ failRate: 0.5, random: () => draws.shift() ?? 0.9 });
    expect(await post(allocator.url, request('m-1'))).toMatchObject({ status: 503, type: 'application/problem+json', body: { code: 'unavailable' } });
    expect(allocator.allocations.size).toBe(0);
    expect((await post(allocator.url, request('m-1'))).status).toBe(200);
    expect(allocator.calls('m-1')).toBe(2);
  });

  it('delayMs: answers after the delay', async () => {
    const allocator = await start({ delayMs: 200 });
    const started = performance.now();
    expect((await post(allocator.url, request('m-1'))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('hang: never answers, and still closes at once', async () => {
    const allocator = await start({ hang: true });
    const attempt = fetch(allocator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request('m-1')),
      signal: AbortSignal.timeout(300),
    });
    await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(allocator.calls('m-1')).toBe(1);
    const pending = fetch(allocator.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request('m-2')) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await allocator.close();
    await expect(pending).rejects.toThrow();
  });

  it('refuses options it cannot honour', async () => {
    await expect(startAllocator({ failRate: 2 })).rejects.toThrow(TypeError);
    await expect(startAllocator({ delayMs: -1 })).rejects.toThrow(TypeError);
    await expect(startAllocator({ firstPort: 65_000 })).rejects.toThrow(TypeError);
  });
});
