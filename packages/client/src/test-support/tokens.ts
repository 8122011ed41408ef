// Test helper: tokens shaped like v4.public ones, with a payload the client can read.

/** base64url of the payload followed by a 64-byte (fake) signature, as in a v4.public token. */
export function tokenWithPayload(payload: object): string {
  return `v4.public.${Buffer.concat([Buffer.from(JSON.stringify(payload)), Buffer.alloc(64, 7)]).toString('base64url')}`;
}
