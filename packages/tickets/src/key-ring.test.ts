import { describe, expect, it } from 'vitest';
import { EPOCH, seededKey } from '../test/fixtures.ts';
import { isWeakPublicKey } from './ed25519.ts';
import { KeyRing, createSigningKey, createVerificationKey } from './key-ring.ts';
import { encodePublicPaserk } from './paserk.ts';

const SMALL_ORDER_HEX = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
];

describe('weak public keys', () => {
  it.each(SMALL_ORDER_HEX)('refuses %s at load time', (hex) => {
    const raw = Buffer.from(hex, 'hex');
    expect(isWeakPublicKey(raw)).toBe(true);
    expect(() => createVerificationKey({ publicKey: encodePublicPaserk(raw) })).toThrow(/weak/);
  });

  it('accepts ordinary keys', () => {
    const key = seededKey(5);
    expect(() => createVerificationKey({ publicKey: key.publicPaserk })).not.toThrow();
  });
});

describe('KeyRing', () => {
  it('derives the kid from the public key', () => {
    const key = seededKey(4);
    const verification = createVerificationKey({ publicKey: key.publicPaserk });
    expect(verification.kid).toBe(key.kid);
    expect(verification.kid).toMatch(/^k4\.pid\./);
  });

  it('publishes the signing key for verification and tracks windows', () => {
    const key = seededKey(4);
    const ring = new KeyRing({ signing: key });
    expect(ring.signingKey().kid).toBe(key.kid);
    expect(ring.isUsable(key.kid, EPOCH)).toBe(true);
    ring.retire(key.kid, EPOCH + 10);
    expect(ring.isUsable(key.kid, EPOCH + 9)).toBe(true);
    expect(ring.isUsable(key.kid, EPOCH + 10)).toBe(false);
    expect(ring.isUsable('k4.pid.unknown', EPOCH)).toBe(false);
  });

  it('moves its version on every change', () => {
    const ring = new KeyRing();
    const before = ring.version;
    ring.add(createVerificationKey({ publicKey: seededKey(6).publicPaserk }));
    expect(ring.version).toBeGreaterThan(before);
  });

  it('replaces its keys but keeps its own signing key verifiable', () => {
    const own = seededKey(7);
    const ring = new KeyRing({ signing: own });
    const other = createVerificationKey({ publicKey: seededKey(8).publicPaserk });
    ring.replace([other]);
    expect(ring.list().map((k) => k.kid).sort()).toEqual([own.kid, other.kid].sort());
  });

  it('treats a missing signing key and bad windows as caller mistakes', () => {
    expect(() => new KeyRing().signingKey()).toThrow(TypeError);
    const publicKey = seededKey(4).publicPaserk;
    expect(() => createVerificationKey({ publicKey, notBefore: 5, notAfter: 5 })).toThrow(TypeError);
    expect(() => createSigningKey(Buffer.alloc(31))).toThrow(TypeError);
  });
});
