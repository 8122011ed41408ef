import { describe, expect, it } from 'vitest';
import { MatchSigner } from './match-signing.ts';

const pool = { mode: 'duel', region: 'eu' };
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A signer on a clock that moves 1 ms per signature, recording what it signed. */
function setup(sliceMs: number) {
  let clock = 0;
  const signed: string[] = [];
  const signer = new MatchSigner({ sliceMs, clock: () => clock });
  const add = (id: string) =>
    signer.add({ id, pool, teams: [] }, () => {
      clock += 1;
      signed.push(id);
      return `token-${id}`;
    });
  return { signer, signed, add };
}

describe('MatchSigner', () => {
  it('signs nothing inside the call that adds matches, then a slice per event-loop turn, oldest first', async () => {
    const { signer, signed, add } = setup(3);
    for (let i = 0; i < 7; i++) add(`m${i}`);
    expect(signed).toEqual([]);
    expect(signer.backlog).toBe(7);
    await turn();
    expect(signed).toEqual(['m0', 'm1', 'm2']);
    await signer.idle();
    expect(signed).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect(signer.backlog).toBe(0);
  });

  it('signs a token read before its turn at once, and only once', async () => {
    const { signer, signed, add } = setup(100);
    const first = add('a');
    const second = add('b');
    expect(second.token).toBe('token-b');
    expect(signed).toEqual(['b']);
    await signer.idle();
    expect(signed).toEqual(['b', 'a']);
    expect([first.token, second.token]).toEqual(['token-a', 'token-b']);
  });

  it('serializes as the match with its token last', () => {
    const { add } = setup(100);
    expect(JSON.stringify(add('a'))).toBe('{"id":"a","pool":{"mode":"duel","region":"eu"},"teams":[],"token":"token-a"}');
  });

  it('tells a waiter when its match is signed, and at once for one already signed', async () => {
    const { signer, add } = setup(1);
    const first = add('a');
    const second = add('b');
    const order: string[] = [];
    const waits = [signer.whenSigned(second).then(() => order.push('b')), signer.whenSigned(first).then(() => order.push('a'))];
    await Promise.all(waits);
    expect(order).toEqual(['a', 'b']);
    await signer.whenSigned(first);
  });

  it('keeps a failed signature for whoever reads that token, and signs the others', async () => {
    const signer = new MatchSigner();
    const broken = signer.add({ id: 'x', pool, teams: [] }, () => {
      throw new Error('no key');
    });
    const fine = signer.add({ id: 'y', pool, teams: [] }, () => 'token-y');
    await signer.whenSigned(broken);
    await signer.idle();
    expect(() => broken.token).toThrow('no key');
    expect(fine.token).toBe('token-y');
  });
});
