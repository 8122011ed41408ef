// Raw Ed25519 key bytes <-> node:crypto KeyObjects, and the weak-key check.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export const PUBLIC_KEY_BYTES = 32;
export const SEED_BYTES = 32;

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== PUBLIC_KEY_BYTES) throw new TypeError('Ed25519 public key must be 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== SEED_BYTES) throw new TypeError('Ed25519 seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_PREFIX.length);
}

export function rawSeed(privateKey: KeyObject): Buffer {
  return privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
}

export function generateSeed(): Buffer {
  return rawSeed(generateKeyPairSync('ed25519').privateKey);
}

// Encodings of the points of order 1, 2, 4 and 8 (and the non-canonical p, p+1),
// compared with the sign bit cleared so both x signs are caught. Same list as
// libsodium's ge25519_has_small_order. A signature under such a key can be
// forged for many messages, so such keys are refused at load time.
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Buffer.from(hex, 'hex'));

/** True for the all-zero key and every small-order point encoding. */
export function isWeakPublicKey(raw: Uint8Array): boolean {
  if (raw.length !== PUBLIC_KEY_BYTES) return true;
  return SMALL_ORDER.some((bad) => {
    for (let i = 0; i < 31; i++) if (raw[i] !== bad[i]) return false;
    return ((raw[31] as number) & 0x7f) === bad[31];
  });
}
