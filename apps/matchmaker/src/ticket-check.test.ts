import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { KeyRing, createSigningKey, generateSeed, signToken, toPasetoDate } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { Queue } from './pool.ts';
import { createTicketCheck } from './ticket-check.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const shared = parseSharedConfig({ ...DEMO_CONFIG, ticketTtlMs: 60_000 });
const key = createSigningKey(generateSeed());

function ticket(sub: string): string {
  return signToken(key, 'ticket', {
    iss: shared.issuer,
    sub,
    aud: shared.audiences.ticket,
    iat: toPasetoDate(T0),
    exp: toPasetoDate(T0 + 30_000),
    jti: `jti-${sub}`,
    pool: { mode: 'duel', region: 'eu' },
    rating: 1500,
    queuedAt: toPasetoDate(T0),
  });
}

function setup(maxOffThread: number, extra: { cpuNow?: () => number; maxLoopShare?: number } = {}) {
  const queue = new Queue({ staleAfterMs: 3_000 });
  const check = createTicketCheck({
    shared,
    keys: { ring: new KeyRing({ signing: key }), refetchForUnknownKid: async () => false },
    queue,
    pools: new Map([['duel/eu', 'duel/eu']]),
    cacheSize: 100,
    now: () => T0,
    maxOffThread,
    ...extra,
  });
  return { queue, check };
}

describe('createTicketCheck', () => {
  it('verifies new tickets on the thread pool up to its limit, then on the event loop, then off again', async () => {
    const { check } = setup(2);
    const first = check.check(ticket('a'));
    const second = check.check(ticket('b'));
    const third = check.check(ticket('c'));
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBeInstanceOf(Promise);
    // Two in flight: the third is verified at once, with the same result a promise gives.
    expect(third).not.toBeInstanceOf(Promise);
    expect((third as Awaited<typeof third>).facts.sub).toBe('c');
    expect((await first).facts.sub).toBe('a');
    await second;
    expect(check.check(ticket('d'))).toBeInstanceOf(Promise);
  });

  it('joins a check already in flight for the same ticket instead of verifying it again', async () => {
    const { check } = setup(1);
    const token = ticket('a');
    const first = check.check(token);
    expect(first).toBeInstanceOf(Promise);
    // The only slot is taken, yet the same ticket waits for the first check rather than
    // being verified at once, which would let a later DELETE overtake an earlier POST.
    expect(check.check(token)).toBe(first);
    expect((await first).facts.sub).toBe('a');
    // One verify (a miss); the joining check is answered without one (a hit).
    expect(check.stats()).toEqual({ hits: 1, misses: 1 });
    expect(check.check(token)).not.toBe(first);
  });

  it('lets a failed check go: the same forged ticket sent again is checked again, and refused again', async () => {
    const { check } = setup(4);
    const token = ticket('a');
    const forged = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    const first = check.check(forged);
    await expect(first).rejects.toMatchObject({ code: 'bad_signature' });
    const second = check.check(forged);
    expect(second).not.toBe(first);
    await expect(second).rejects.toMatchObject({ code: 'bad_signature' });
  });

  it('frees a slot when an off-thread check fails', async () => {
    const { check } = setup(1);
    const token = ticket('a');
    const forged = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    await expect(check.check(forged)).rejects.toMatchObject({ code: 'bad_signature' });
    expect(check.check(ticket('b'))).toBeInstanceOf(Promise);
  });

  it('finds a queued ticket by its digest without verifying it again, counting the hit once', async () => {
    const { check, queue } = setup(4);
    const token = ticket('a');
    const { facts } = await check.check(token);
    queue.upsert(facts, T0);
    expect(check.queued(token, T0, () => false)).toBeUndefined();
    expect(check.queued(token, T0, () => true)?.sub).toBe('a');
    expect(check.check(token)).toMatchObject({ entry: { sub: 'a' } });
    expect(check.stats().hits).toBe(2);
  });

  it('verifies on the event loop only within its share of each 100 ms, then answers 503 busy', () => {
    // Every reading of the cost clock moves it 1 ms: each verify costs 1 ms.
    let cpu = 0;
    const { check } = setup(0, { cpuNow: () => cpu++, maxLoopShare: 0.03 });
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      try {
        outcomes.push((check.check(ticket(`p${i}`)) as Awaited<ReturnType<typeof check.check>>).facts.sub);
      } catch (error) {
        outcomes.push(`${(error as { status?: number }).status} ${(error as { code?: string }).code}`);
      }
    }
    // 3 ms of each 100 ms window: three verifies, then busy until the next window.
    expect(outcomes).toEqual(['p0', 'p1', 'p2', '503 busy', '503 busy', '503 busy', '503 busy', '503 busy']);
    cpu += 100;
    expect((check.check(ticket('later')) as Awaited<ReturnType<typeof check.check>>).facts.sub).toBe('later');
  });
});
