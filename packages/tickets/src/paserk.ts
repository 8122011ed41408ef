// PASERK k4.public, k4.secret and k4.pid: how keys and key ids are written down.
import { blake2b } from '@noble/hashes/blake2.js';
import { timingSafeEqual } from 'node:crypto';
import { decodeBase64url, encodeBase64url } from './base64url.ts';
import { PUBLIC_KEY_BYTES, SEED_BYTES, privateKeyFromSeed, rawPublicKey } from './ed25519.ts';

const PUBLIC_PREFIX = 'k4.public.';
const SECRET_PREFIX = 'k4.secret.';
const PID_PREFIX = 'k4.pid.';

function decodeWithPrefix(paserk: string, prefix: string, bytes: number): Buffer {
  if (typeof paserk !== 'string' || !paserk.startsWith(prefix)) {
    throw new TypeError(`expected a ${prefix.slice(0, -1)} PASERK`);
  }
  const raw = decodeBase64url(paserk.slice(prefix.length));
  if (raw === undefined || raw.length !== bytes) {
    throw new TypeError(`${prefix.slice(0, -1)} must hold ${bytes} canonical base64url bytes`);
  }
  return raw;
}

export function encodePublicPaserk(publicKey: Uint8Array): string {
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new TypeError('k4.public needs a 32-byte key');
  return PUBLIC_PREFIX + encodeBase64url(publicKey);
}

export function decodePublicPaserk(paserk: string): Buffer {
  return decodeWithPrefix(paserk, PUBLIC_PREFIX, PUBLIC_KEY_BYTES);
}

/** `secretKey` is the 64-byte Ed25519 secret key: seed followed by public key. */
export function encodeSecretPaserk(secretKey: Uint8Array): string {
  if (secretKey.length !== SEED_BYTES + PUBLIC_KEY_BYTES) throw new TypeError('k4.secret needs a 64-byte key');
  return SECRET_PREFIX + encodeBase64url(secretKey);
}

/** Returns the 64-byte secret key after checking its public half belongs to its seed. */
export function decodeSecretPaserk(paserk: string): Buffer {
  const raw = decodeWithPrefix(paserk, SECRET_PREFIX, SEED_BYTES + PUBLIC_KEY_BYTES);
  const derived = rawPublicKey(privateKeyFromSeed(raw.subarray(0, SEED_BYTES)));
  if (!timingSafeEqual(derived, raw.subarray(SEED_BYTES))) {
    throw new TypeError('k4.secret: public half does not match the seed');
  }
  return raw;
}

/** PASERK id of a public key: `k4.pid.` + BLAKE2b-264 of the header and the k4.public string. */
export function publicKeyId(publicKey: Uint8Array): string {
  const paserk = encodePublicPaserk(publicKey);
  const digest = blake2b(Buffer.from(PID_PREFIX + paserk), { dkLen: 33 });
  return PID_PREFIX + encodeBase64url(digest);
}
