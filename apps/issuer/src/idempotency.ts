// Idempotent ticket issuance without server-side state.
//
// The client sends `Idempotency-Key: <unix-ms>.<random>`. The server takes the
// time part as the ticket's `iat` (and `queuedAt` when nothing is carried over)
// and derives `jti` as an HMAC, under a key derived from the signing key, of the
// session's jti, the user, the canonical request and the idempotency key.
// Ed25519 signatures are deterministic, so the same inputs sign to the same
// bytes: a retry, or two concurrent copies of one request, get byte-identical
// tickets with nothing remembered between them. A key whose time is outside
// [now - ticket TTL, now + small skew] is refused, so a key cannot mint tickets
// into the future or replay one that has already expired.
import { createHmac, hkdfSync } from 'node:crypto';
import { Problem } from '@ticketbooth/http';
import type { Attributes, SigningKey } from '@ticketbooth/tickets';
import { canonicalAttributes, sortedRecord } from './tickets.ts';

const KEY_PATTERN = /^(\d{13})\.([A-Za-z0-9_-]{16,64})$/;
/** How far ahead of our clock a client's key time may be; less than verifiers' leeway. */
export const IDEMPOTENCY_SKEW_MS = 2_000;

export interface IdempotencyKey {
  /** The client's time, accepted as the ticket's issue time. */
  readonly issuedAt: number;
  readonly key: string;
}

/** Parses and checks the header; 400 `invalid-idempotency-key` when it cannot be honoured. */
export function parseIdempotencyKey(header: string, now: number, ticketTtlMs: number): IdempotencyKey {
  const match = KEY_PATTERN.exec(header);
  if (match === null) {
    throw new Problem(400, 'invalid-idempotency-key', 'Invalid Idempotency-Key', 'expected <unix-ms>.<16-64 of [A-Za-z0-9_-]>');
  }
  const issuedAt = Number(match[1]);
  if (issuedAt <= now - ticketTtlMs || issuedAt > now + IDEMPOTENCY_SKEW_MS) {
    throw new Problem(400, 'invalid-idempotency-key', 'Invalid Idempotency-Key', 'its time is outside the ticket lifetime around now');
  }
  return { issuedAt, key: header };
}

const secrets = new WeakMap<SigningKey, Buffer>();

/** A MAC key bound to the signing key: derived, never stored, never the signing key itself. */
function macKey(signingKey: SigningKey): Buffer {
  let secret = secrets.get(signingKey);
  if (secret === undefined) {
    secret = Buffer.from(hkdfSync('sha256', signingKey.paserk, 'ticketbooth', 'ticketbooth issuer idempotent jti', 32));
    secrets.set(signingKey, secret);
  }
  return secret;
}

export interface IdempotentInputs {
  readonly sessionJti: string;
  readonly userId: string;
  readonly mode: string;
  readonly region: string;
  readonly previousTicket?: string;
  readonly latencies?: Readonly<Record<string, number>>;
  readonly attributes?: Attributes;
  readonly key: string;
}

/** The canonical request as hashed: a fixed-order array, so key order in the body does not matter. */
function canonicalRequest(inputs: IdempotentInputs): unknown[] {
  return [
    inputs.sessionJti,
    inputs.userId,
    inputs.mode,
    inputs.region,
    inputs.previousTicket ?? null,
    inputs.latencies === undefined ? null : sortedRecord(inputs.latencies),
    inputs.attributes === undefined ? null : canonicalAttributes(inputs.attributes),
    inputs.key,
  ];
}

/** `jti` for an idempotent request: 128 bits of HMAC-SHA256, base64url. */
export function deriveTicketJti(signingKey: SigningKey, inputs: IdempotentInputs): string {
  return keyedJti(signingKey, canonicalRequest(inputs));
}

/**
 * A `jti` that is a function of `parts` under a key only the issuer has: 128 bits of
 * HMAC-SHA256 of their JSON array, base64url. Equal parts give equal ids; JSON keeps
 * different arrays apart.
 */
export function keyedJti(signingKey: SigningKey, parts: readonly unknown[]): string {
  return createHmac('sha256', macKey(signingKey)).update(JSON.stringify(parts)).digest().subarray(0, 16).toString('base64url');
}
