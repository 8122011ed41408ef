import { describe, expect, it } from 'vitest';
import { MatchSigner, type Signing } from './match-signing.ts';

const pool = { mode: 'duel', region: 'eu' };
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A signer whose thread-pool signatures finish only when the test says, recording who signed what where. */
function setup(inFlight = 2) {
  const log: string[] = [];
  const pending = new Map<string, () => void>();
  const signer = new MatchSigner({ inFlight });
  const signing = (id: string): Signing => ({
    now: () => {
      log.push(`now ${id}`);
      return `token-${id}`;
    },
    offThread: () => {
      log.push(`start ${id}`);
      return new Promise((resolve) => pending.set(id, () => resolve(`token-${id}`)));
    },
  });
  const add = (id: string) => signer.add({ id, pool, teams: [] }, signing(id));
  const finish = async (id: string) => {
    pending.get(id)!();
    pending.delete(id);
    await turn();
  };
  return { signer, log, add, finish };
}

describe('MatchSigner', () => {
  it('signs off the event loop, oldest first, at most `inFlight` at once', async () => {
    const { signer, log, add, finish } = setup(2);
    for (let i = 0; i < 4; i++) add(`m${i}`);
    expect(log).toEqual(['start m0', 'start m1']);
    expect(signer.backlog).toBe(4);
    await finish('m0');
    expect(log).toEqual(['start m0', 'start m1', 'start m2']);
    await finish('m1');
    await finish('m2');
    await finish('m3');
    await signer.idle();
    expect(signer.backlog).toBe(0);
    expect(log.filter((line) => line.startsWith('now'))).toEqual([]);
  });

  it('signs a token read before its turn at once, and never again off the loop', async () => {
    const { signer, log, add, finish } = setup(1);
    const first = add('a');
    const second = add('b');
    expect(second.token).toBe('token-b');
    expect(log).toEqual(['start a', 'now b']);
    await finish('a');
    await signer.idle();
    expect(log).toEqual(['start a', 'now b']);
    expect([first.token, second.token]).toEqual(['token-a', 'token-b']);
  });

  it('keeps the token read early when the thread pool answers later', async () => {
    const { signer, add, finish } = setup(1);
    const match = add('a');
    expect(match.token).toBe('token-a');
    await finish('a');
    await signer.idle();
    expect(match.token).toBe('token-a');
  });

  it('serializes as the match with its token last', () => {
    const { add } = setup();
    expect(JSON.stringify(add('a'))).toBe('{"id":"a","pool":{"mode":"duel","region":"eu"},"teams":[],"token":"token-a"}');
  });

  it('tells a waiter when its match is signed, and at once for one already signed', async () => {
    const { signer, add, finish } = setup(2);
    const first = add('a');
    const second = add('b');
    const order: string[] = [];
    const waits = [signer.whenSigned(second).then(() => order.push('b')), signer.whenSigned(first).then(() => order.push('a'))];
    await finish('a');
    await finish('b');
    await Promise.all(waits);
    expect(order).toEqual(['a', 'b']);
    await signer.whenSigned(first);
  });

  it('keeps a failed signature for whoever reads that token, and signs the others', async () => {
    const signer = new MatchSigner();
    const broken = signer.add({ id: 'x', pool, teams: [] }, { now: () => 'never', offThread: () => Promise.reject(new Error('no key')) });
    const fine = signer.add({ id: 'y', pool, teams: [] }, { now: () => 'token-y', offThread: async () => 'token-y' });
    await signer.whenSigned(broken);
    await signer.idle();
    expect(() => broken.token).toThrow('no key');
    expect(fine.token).toBe('token-y');
  });
});
