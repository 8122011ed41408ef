// The issuer's signing keys: a key file on disk, a live KeyRing, and the two-step rotation.
//
// Rotation follows DESIGN.md: `rotate` publishes the next key (listed at
// GET /v1/keys, not signing); once verifiers have fetched it, `activate`
// switches signing to it and gives the old key notAfter = now + the longest
// token lifetime, so everything it signed still verifies until it expires.
// A running issuer notices the changed file (mtime poll or SIGHUP) and reloads.
import { existsSync, statSync } from 'node:fs';
import {
  createSigningKey,
  generateKeyFile,
  generateSeed,
  keyRingFromFile,
  readKeyFile,
  toPasetoDate,
  writeKeyFile,
  type KeyFile,
  type KeyRing,
} from '@ticketbooth/tickets';

/** Reads the key file, creating one with a fresh active key on first start (dev). */
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

type KeyEntry = KeyFile['keys'][number];

const isRetired = (key: KeyEntry) => key.notAfter !== undefined;

/** The published-but-not-signing key waiting for `activate`, if any. */
export function nextKey(file: KeyFile): KeyEntry | undefined {
  return file.keys.find((k) => k.kid !== file.active && !isRetired(k) && k.secret !== undefined);
}

/** Step one: adds a new key, published from `now`, not yet signing. */
export function rotateKeyFile(file: KeyFile, now: number): KeyFile {
  const pending = nextKey(file);
  if (pending !== undefined) throw new Error(`key ${pending.kid} is already published and waiting: run "keys activate" first`);
  const key = createSigningKey(generateSeed());
  return {
    ...file,
    keys: [...file.keys, { kid: key.kid, public: key.publicPaserk, secret: key.paserk, notBefore: toPasetoDate(now) }],
  };
}

/**
 * Step two: the next key signs from now on; the old one verifies for
 * `retireAfterMs` more and loses its secret. Keys retired in the past are dropped.
 */
export function activateNextKey(file: KeyFile, now: number, retireAfterMs: number): KeyFile {
  const next = nextKey(file);
  if (next === undefined) throw new Error('no published next key: run "keys rotate" first');
  const keys = file.keys
    .filter((k) => k.notAfter === undefined || Date.parse(k.notAfter) > now)
    .map((k): KeyEntry => {
      if (k.kid !== file.active) return k;
      const { secret: _secret, ...published } = k;
      return { ...published, notAfter: toPasetoDate(now + retireAfterMs) };
    });
  return { ...file, active: next.kid, keys };
}

export interface KeyFileWatcher {
  /** Re-reads the file now if it changed (SIGHUP lands here). */
  check(): void;
  stop(): void;
}

/**
 * Polls the key file's mtime and size and applies changes to `ring`. A file
 * that fails to load leaves the ring as it was and is reported.
 */
export function watchKeyFile(
  path: string,
  ring: KeyRing,
  options: { intervalMs: number; onReload?: () => void; onError?: (error: unknown) => void },
): KeyFileWatcher {
  const stamp = () => {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  };
  let seen = stamp();
  function check(): void {
    try {
      const now = stamp();
      if (now === seen) return;
      seen = now;
      applyKeyFile(ring, readKeyFile(path));
      options.onReload?.();
    } catch (error) {
      options.onError?.(error);
    }
  }
  const timer = setInterval(check, options.intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
