// Key files and published key sets: JSON of PASERK strings, with history kept.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
