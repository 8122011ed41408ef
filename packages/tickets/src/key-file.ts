// Key files and published key sets: JSON of PASERK strings, with history kept,
// and the two-step rotation both services apply to their own key files.
//
// Rotation (docs/architecture.md): `rotateKeyFile` publishes the next key (listed
// at GET /v1/keys, not signing); once verifiers have fetched it,
// `activateNextKey` switches signing to it and gives the old key notAfter =
// now + the longest lifetime of what it signed, so every such token still
// verifies until it expires. Keys past their notAfter are then dropped.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { pasetoDate, toPasetoDate } from './claims.ts';
import { generateSeed } from './ed25519.ts';
import { KeyRing, createSigningKey, createVerificationKey, type VerificationKey } from './key-ring.ts';

const publishedKey = z.strictObject({
  kid: z.string().startsWith('k4.pid.'),
  public: z.string().startsWith('k4.public.'),
  notBefore: pasetoDate.optional(),
  notAfter: pasetoDate.optional(),
});

/** What a service publishes at `GET /v1/keys` and what a verifier may load from a file. */
export const publicKeySetSchema = z.strictObject({ keys: z.array(publishedKey).max(64) });
export type PublicKeySet = z.infer<typeof publicKeySetSchema>;

export const keyFileSchema = z.strictObject({
  format: z.literal('ticketbooth-keys/1'),
  /** kid of the key that signs; absent in a verification-only file. */
  active: z.string().optional(),
  keys: z.array(publishedKey.extend({ secret: z.string().startsWith('k4.secret.').optional() })).max(64),
});
export type KeyFile = z.infer<typeof keyFileSchema>;

const msOrUndefined = (date: string | undefined) => (date === undefined ? undefined : Date.parse(date));

function toVerificationKey(entry: z.infer<typeof publishedKey>): VerificationKey {
  const key = createVerificationKey({
    publicKey: entry.public,
    notBefore: msOrUndefined(entry.notBefore),
    notAfter: msOrUndefined(entry.notAfter),
  });
  if (key.kid !== entry.kid) throw new TypeError(`key ${entry.kid}: kid does not match its public key`);
  return key;
}

/** Builds a key ring from a key file or a published key set; refuses weak or inconsistent keys. */
export function keyRingFromFile(file: KeyFile | PublicKeySet): KeyRing {
  const ring = new KeyRing({ verification: file.keys.map(toVerificationKey) });
  const active = 'active' in file ? file.active : undefined;
  if (active !== undefined) {
    const secret = (file as KeyFile).keys.find((k) => k.kid === active)?.secret;
    if (secret === undefined) throw new TypeError(`active key ${active} has no secret`);
    const signing = createSigningKey(secret);
    if (signing.kid !== active) throw new TypeError(`active key ${active}: secret does not match`);
    ring.setSigningKey(signing);
  }
  return ring;
}

/** The public half of a ring, as published. */
export function publicKeySet(ring: KeyRing): PublicKeySet {
  return {
    keys: ring.list().map((key) => ({
      kid: key.kid,
      public: key.paserk,
      ...(Number.isFinite(key.notBefore) ? { notBefore: toPasetoDate(key.notBefore) } : {}),
      ...(Number.isFinite(key.notAfter) ? { notAfter: toPasetoDate(key.notAfter) } : {}),
    })),
  };
}

/** A fresh key file with one new active key valid from `now`. */
export function generateKeyFile(now: number): KeyFile {
  const signing = createSigningKey(generateSeed());
  return {
    format: 'ticketbooth-keys/1',
    active: signing.kid,
    keys: [{ kid: signing.kid, public: signing.publicPaserk, secret: signing.paserk, notBefore: toPasetoDate(now) }],
  };
}

export function readKeyFile(path: string): KeyFile {
  const parsed = keyFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new TypeError(`${path}: not a key file: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * Writes atomically (temp file + rename). A file holding any secret is
 * created with mode 0600 so it is never readable by others, even briefly.
 */
export function writeKeyFile(path: string, file: KeyFile): void {
  const checked = keyFileSchema.parse(file);
  const mode = checked.keys.some((k) => k.secret) ? 0o600 : 0o644;
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(checked, null, 2)}\n`, { mode, flag: 'w' });
  chmodSync(temp, mode);
  renameSync(temp, path);
}

/** Reads the key file, creating one with a fresh active key when there is none (the keys CLI; development). */
export function loadOrCreateKeyFile(path: string, now: number): KeyFile {
  if (existsSync(path)) return readKeyFile(path);
  const file = generateKeyFile(now);
  writeKeyFile(path, file);
  return file;
}

/** Makes `ring` reflect `file`: same signing key and verification keys, same object for every holder. */
export function applyKeyFile(ring: KeyRing, file: KeyFile): void {
  const fresh = keyRingFromFile(file);
  // Signing first: replace() keeps the signing key's public half, which must be the new one.
  if (fresh.hasSigningKey()) ring.setSigningKey(fresh.signingKey());
  ring.replace(fresh.list());
}

export type KeyFileEntry = KeyFile['keys'][number];

/** What a key does now: signs, waits for activation, verifies until retirement, or nothing any more. */
export type KeyRole =
  | { readonly role: 'active' }
  | { readonly role: 'next' }
  | { readonly role: 'retiring'; readonly notAfter: string }
  | { readonly role: 'retired'; readonly notAfter: string };

export function keyRole(file: KeyFile, key: KeyFileEntry, now: number): KeyRole {
  if (key.kid === file.active) return { role: 'active' };
  if (key.notAfter === undefined) return { role: 'next' };
  return Date.parse(key.notAfter) > now ? { role: 'retiring', notAfter: key.notAfter } : { role: 'retired', notAfter: key.notAfter };
}

/** The published-but-not-signing key waiting for `activateNextKey`, if any. */
export function nextKey(file: KeyFile): KeyFileEntry | undefined {
  return file.keys.find((k) => k.kid !== file.active && k.notAfter === undefined && k.secret !== undefined);
}

/** Drops keys whose retirement time has passed: nothing they signed can still verify. */
export function dropRetiredKeys(file: KeyFile, now: number): KeyFile {
  return { ...file, keys: file.keys.filter((k) => k.notAfter === undefined || Date.parse(k.notAfter) > now) };
}

/**
 * Step one: adds a new key, published from `now`, not yet signing (and drops
 * retired keys). Refuses while another next key is still waiting.
 *
 * @example
 * writeKeyFile(path, rotateKeyFile(readKeyFile(path), Date.now()));
 */
export function rotateKeyFile(file: KeyFile, now: number, seed: Uint8Array = generateSeed()): KeyFile {
  const pending = nextKey(file);
  if (pending !== undefined) throw new Error(`key ${pending.kid} is already published and waiting: run "keys activate" first`);
  const key = createSigningKey(seed);
  if (file.keys.some((k) => k.kid === key.kid)) throw new TypeError(`key ${key.kid} is already in the file`);
  const kept = dropRetiredKeys(file, now);
  return {
    ...kept,
    keys: [...kept.keys, { kid: key.kid, public: key.publicPaserk, secret: key.paserk, notBefore: toPasetoDate(now) }],
  };
}

/**
 * Step two: the next key signs from now on; the old one verifies for
 * `retireAfterMs` more (the longest lifetime of what it signed, plus leeway)
 * and loses its secret. Keys retired in the past are dropped.
 */
export function activateNextKey(file: KeyFile, now: number, retireAfterMs: number): KeyFile {
  const next = nextKey(file);
  if (next === undefined) throw new Error('no published next key: run "keys rotate" first');
  if (!(retireAfterMs > 0)) throw new TypeError('retireAfterMs must be positive');
  const keys = dropRetiredKeys(file, now).keys.map((k): KeyFileEntry => {
    if (k.kid !== file.active) return k;
    const { secret: _secret, ...published } = k;
    return { ...published, notAfter: toPasetoDate(now + retireAfterMs) };
  });
  return { ...file, active: next.kid, keys };
}

/**
 * Takes a key out at once, whatever its retirement time: the step after a
 * compromise (rotate, activate, then remove the old key). Everything it signed
 * stops verifying as soon as verifiers reload. The signing key cannot be removed.
 */
export function removeKey(file: KeyFile, kid: string): KeyFile {
  if (kid === file.active) throw new Error(`key ${kid} is signing: run "keys rotate" and "keys activate" first`);
  if (!file.keys.some((k) => k.kid === kid)) throw new Error(`no key ${kid} in the file`);
  return { ...file, keys: file.keys.filter((k) => k.kid !== kid) };
}
