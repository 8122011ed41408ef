// When a match formed, read from its token: what orders the matches one player hears of.

/**
 * The `iat` of a match token (ms since the epoch), read without verifying it: this orders the
 * matches a player hears of, it proves nothing. NaN when the token is not a readable
 * v4.public token (the signature is the payload's last 64 bytes).
 */
export function matchFormedAt(token: string): number {
  try {
    const binary = atob((token.split('.')[2] ?? '').replace(/-/g, '+').replace(/_/g, '/'));
    if (binary.length <= 64) return NaN;
    const payload = Uint8Array.from(binary.slice(0, -64), (c) => c.charCodeAt(0));
    const { iat } = JSON.parse(new TextDecoder().decode(payload)) as { iat?: unknown };
    return typeof iat === 'string' ? Date.parse(iat) : NaN;
  } catch {
    return NaN;
  }
}
