// PASETO v4.public (Ed25519) at the byte level: parse, pre-authentication
// encoding, sign, verify. No claims and no clocks here; see token.ts for those.
import { sign as ed25519Sign, verify as ed25519Verify, type KeyObject } from 'node:crypto';
import { decodeBase64url, encodeBase64url } from './base64url.ts';
import { TicketError } from './errors.ts';

export const V4_PUBLIC_HEADER = 'v4.public.';
const HEADER_BYTES = Buffer.from(V4_PUBLIC_HEADER);
const SIGNATURE_BYTES = 64;
const EMPTY = Buffer.alloc(0);

/** Default upper bound on a token's length; checked before any decoding. */
export const DEFAULT_MAX_TOKEN_BYTES = 8192;

/** A v4.public token split into its parts. Nothing in it is trusted yet. */
export interface ParsedToken {
  readonly message: Buffer;
  readonly signature: Buffer;
  readonly footer: Buffer;
}

/**
 * Splits a v4.public token, refusing anything that is not its one canonical spelling.
 * Throws `TicketError` `too_large` or `malformed`.
 */
export function parseToken(token: string, maxBytes = DEFAULT_MAX_TOKEN_BYTES): ParsedToken {
  if (typeof token !== 'string') throw new TypeError('token must be a string');
  if (token.length > maxBytes) throw new TicketError('too_large', `token longer than ${maxBytes} bytes`);
  if (!token.startsWith(V4_PUBLIC_HEADER)) throw new TicketError('malformed', 'not a v4.public token');
  const rest = token.slice(V4_PUBLIC_HEADER.length);
  const dot = rest.indexOf('.');
  const bodyText = dot === -1 ? rest : rest.slice(0, dot);
  const footerText = dot === -1 ? undefined : rest.slice(dot + 1);
  // An empty footer is spelled by leaving the part out, so "x." is a second spelling.
  if (footerText !== undefined && footerText.length === 0) throw new TicketError('malformed', 'empty footer part');
  const body = decodeBase64url(bodyText);
  const footer = footerText === undefined ? EMPTY : decodeBase64url(footerText);
  if (body === undefined || footer === undefined) throw new TicketError('malformed', 'not canonical base64url');
  if (body.length < SIGNATURE_BYTES) throw new TicketError('malformed', 'token too short to hold a signature');
  return {
    message: body.subarray(0, body.length - SIGNATURE_BYTES),
    signature: body.subarray(body.length - SIGNATURE_BYTES),
    footer,
  };
}

/** PASETO pre-authentication encoding of header, message, footer and implicit assertion. */
export function pae(pieces: readonly Uint8Array[]): Buffer {
  let size = 8;
  for (const piece of pieces) size += 8 + piece.length;
  const out = Buffer.allocUnsafe(size);
  let at = writeLe64(out, 0, pieces.length);
  for (const piece of pieces) {
    at = writeLe64(out, at, piece.length);
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function writeLe64(out: Buffer, at: number, n: number): number {
  // Lengths here are far below 2^32; the spec also clears the top bit of the high word.
  out.writeUInt32LE(n >>> 0, at);
  out.writeUInt32LE(Math.floor(n / 2 ** 32) & 0x7fffffff, at + 4);
  return at + 8;
}

/** Signs `message` as a v4.public token. Ed25519 is deterministic: same inputs, same token. */
export function signV4Public(
  message: Uint8Array,
  privateKey: KeyObject,
  footer: Uint8Array = EMPTY,
  implicit: Uint8Array = EMPTY,
): string {
  const signature = ed25519Sign(null, pae([HEADER_BYTES, message, footer, implicit]), privateKey);
  const body = Buffer.concat([message, signature]);
  const token = V4_PUBLIC_HEADER + encodeBase64url(body);
  return footer.length === 0 ? token : `${token}.${encodeBase64url(footer)}`;
}

/** True when the parsed token's signature holds for this key and implicit assertion. */
export function hasValidSignature(parsed: ParsedToken, publicKey: KeyObject, implicit: Uint8Array = EMPTY): boolean {
  const data = pae([HEADER_BYTES, parsed.message, parsed.footer, implicit]);
  return ed25519Verify(null, data, publicKey, parsed.signature);
}

/**
 * `hasValidSignature` on libuv's thread pool (Node's callback form of `crypto.verify`):
 * the event loop stays free, and cold verifies use every core.
 */
export function hasValidSignatureOffThread(parsed: ParsedToken, publicKey: KeyObject, implicit: Uint8Array = EMPTY): Promise<boolean> {
  const data = pae([HEADER_BYTES, parsed.message, parsed.footer, implicit]);
  return new Promise((resolve, reject) => {
    ed25519Verify(null, data, publicKey, parsed.signature, (error, valid) => (error ? reject(error) : resolve(valid)));
  });
}
