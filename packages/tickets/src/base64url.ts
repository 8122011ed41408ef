// Strict base64url: Buffer's decoder accepts padding, '+', '/', whitespace and
// stray trailing bits; a token that can be spelled two ways is refused instead.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** True when `text` is the one canonical unpadded base64url spelling of some bytes. */
export function isCanonicalBase64url(text: string): boolean {
  const rest = text.length % 4;
  if (rest === 1) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || VALUE[c] === -1) return false;
  }
  if (rest === 0 || text.length === 0) return true;
  const last = VALUE[text.charCodeAt(text.length - 1)] as number;
  // 2 chars carry 1 byte (4 spare bits), 3 chars carry 2 bytes (2 spare bits).
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/** Decodes canonical base64url, or returns undefined. */
export function decodeBase64url(text: string): Buffer | undefined {
  return isCanonicalBase64url(text) ? Buffer.from(text, 'base64url') : undefined;
}

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
