// Keys by kid with validity windows, plus the one key that signs.
import type { KeyObject } from 'node:crypto';
import { SEED_BYTES, isWeakPublicKey, privateKeyFromSeed, publicKeyFromRaw, rawPublicKey } from './ed25519.ts';
import { decodePublicPaserk, decodeSecretPaserk, encodePublicPaserk, encodeSecretPaserk, publicKeyId } from './paserk.ts';

export interface VerificationKey {
  /** PASERK k4.pid of the public key: derived, never a free label. */
  readonly kid: string;
  readonly publicKey: KeyObject;
  /** PASERK k4.public. */
  readonly paserk: string;
  /** Milliseconds since the epoch; tokens are accepted from here... */
  readonly notBefore: number;
  /** ...until here (exclusive). `Infinity` while the key is current. */
  readonly notAfter: number;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** PASERK k4.secret. */
  readonly paserk: string;
  readonly publicPaserk: string;
}

export interface VerificationKeyInput {
  /** PASERK k4.public, or raw 32 bytes. */
  readonly publicKey: string | Uint8Array;
  readonly notBefore?: number;
  readonly notAfter?: number;
}

/** Builds a verification key, refusing weak public keys. */
export function createVerificationKey(input: VerificationKeyInput): VerificationKey {
  const raw = typeof input.publicKey === 'string' ? decodePublicPaserk(input.publicKey) : Buffer.from(input.publicKey);
  if (isWeakPublicKey(raw)) throw new TypeError('refusing a weak Ed25519 public key (all-zero or small order)');
  const notBefore = input.notBefore ?? -Infinity;
  const notAfter = input.notAfter ?? Infinity;
  if (!(notBefore < notAfter)) throw new TypeError('key notBefore must be before notAfter');
  return {
    kid: publicKeyId(raw),
    publicKey: publicKeyFromRaw(raw),
    paserk: encodePublicPaserk(raw),
    notBefore,
    notAfter,
  };
}

/** Builds a signing key from a PASERK k4.secret or a 32-byte seed. */
export function createSigningKey(secret: string | Uint8Array): SigningKey {
  const seed =
    typeof secret === 'string' ? decodeSecretPaserk(secret).subarray(0, SEED_BYTES) : Buffer.from(secret);
  const privateKey = privateKeyFromSeed(seed);
  const publicRaw = rawPublicKey(privateKey);
  if (isWeakPublicKey(publicRaw)) throw new TypeError('refusing a weak Ed25519 key');
  return {
    kid: publicKeyId(publicRaw),
    privateKey,
    paserk: encodeSecretPaserk(Buffer.concat([seed, publicRaw])),
    publicPaserk: encodePublicPaserk(publicRaw),
  };
}

/**
 * Verification keys by kid, and optionally the key that signs. Mutable so a
 * running service can rotate and refresh; `version` moves on every change.
 *
 * @example
 * const ring = new KeyRing({ signing: createSigningKey(secret) });
 * ring.retire(oldKid, now + maxTicketLifetimeMs);
 */
export class KeyRing {
  readonly #keys = new Map<string, VerificationKey>();
  #signing: SigningKey | undefined;
  #version = 0;

  constructor(init: { signing?: SigningKey; verification?: readonly VerificationKey[] } = {}) {
    for (const key of init.verification ?? []) this.#keys.set(key.kid, key);
    if (init.signing) this.setSigningKey(init.signing);
  }

  get version(): number {
    return this.#version;
  }

  /** The key new tokens are signed with; its public half is added for verification if missing. */
  setSigningKey(key: SigningKey): void {
    this.#signing = key;
    if (!this.#keys.has(key.kid)) this.#keys.set(key.kid, createVerificationKey({ publicKey: key.publicPaserk }));
    this.#version++;
  }

  signingKey(): SigningKey {
    if (!this.#signing) throw new TypeError('this key ring has no signing key');
    return this.#signing;
  }

  hasSigningKey(): boolean {
    return this.#signing !== undefined;
  }

  add(key: VerificationKey): void {
    this.#keys.set(key.kid, key);
    this.#version++;
  }

  /** Replaces every verification key at once (a refresh from the issuer's key list). */
  replace(keys: readonly VerificationKey[]): void {
    this.#keys.clear();
    for (const key of keys) this.#keys.set(key.kid, key);
    if (this.#signing && !this.#keys.has(this.#signing.kid)) {
      this.#keys.set(this.#signing.kid, createVerificationKey({ publicKey: this.#signing.publicPaserk }));
    }
    this.#version++;
  }

  /** Stops accepting tokens under `kid` from `at` on. Unknown kids are ignored. */
  retire(kid: string, at: number): void {
    const key = this.#keys.get(kid);
    if (!key) return;
    this.#keys.set(kid, { ...key, notAfter: Math.max(key.notBefore + 1, at) });
    this.#version++;
  }

  remove(kid: string): void {
    if (this.#keys.delete(kid)) this.#version++;
  }

  get(kid: string): VerificationKey | undefined {
    return this.#keys.get(kid);
  }

  /** True when `kid` is known and inside its validity window at `now`. */
  isUsable(kid: string, now: number): boolean {
    const key = this.#keys.get(kid);
    return key !== undefined && key.notBefore <= now && now < key.notAfter;
  }

  list(): VerificationKey[] {
    return [...this.#keys.values()];
  }
}
