// Strict base64url: Buffer's decoder accepts padding, '+', '/', whitespace and
// stray trailing bits; a token that can be spelled two ways is refused instead.

/**
 * Decodes canonical base64url, or returns undefined. Buffer's decoder skips what
 * it does not understand, so only the one canonical spelling encodes back to
 * the same text: the round trip is the check (and faster than a scan in JS).
 */
export function decodeBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** True when `text` is the one canonical unpadded base64url spelling of some bytes. */
export function isCanonicalBase64url(text: string): boolean {
  return decodeBase64url(text) !== undefined;
}

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
