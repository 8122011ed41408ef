// fast-check arbitraries for valid ticket claims, in every date spelling the schema allows.
import fc from 'fast-check';
import type { TicketClaims } from '../src/claims.ts';
import { codeUnit } from './token-arbitraries.ts';

const MAX_OFFSET_MINUTES = 23 * 60 + 59;

/**
 * Writes `ms` as an RFC 3339 date at a UTC offset, with 0 to 9 fraction digits
 * (fewer than 3 truncate, so read the result back with Date.parse).
 */
export function rfc3339(ms: number, offsetMinutes: number, fractionDigits: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString();
  const fraction = fractionDigits === 0 ? '' : `.${local.slice(20, 23).padEnd(9, '0').slice(0, fractionDigits)}`;
  const size = Math.abs(offsetMinutes);
  const hhmm = `${String(Math.floor(size / 60)).padStart(2, '0')}:${String(size % 60).padStart(2, '0')}`;
  const zone = offsetMinutes === 0 ? 'Z' : `${offsetMinutes < 0 ? '-' : '+'}${hhmm}`;
  return local.slice(0, 19) + fraction + zone;
}

/** A date spelling of a time in [min, max]: offsets, fraction digits, `Z` or `+00:00`. */
export function pasetoDateNear(min: number, max: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.integer({ min, max }),
      fc.oneof(fc.constant(0), fc.integer({ min: -MAX_OFFSET_MINUTES, max: MAX_OFFSET_MINUTES })),
      fc.integer({ min: 0, max: 9 }),
      fc.boolean(),
    )
    .map(([ms, offset, digits, plusZero]) => {
      const text = rfc3339(ms, offset, digits);
      return plusZero && offset === 0 ? text.replace(/Z$/, '+00:00') : text;
    });
}

/** Text of 1 to `max` UTF-16 code units: mostly printable ASCII, sometimes anything (quotes, controls, lone surrogates). */
export function claimText(max: number): fc.Arbitrary<string> {
  const unit = fc.oneof(
    { arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), weight: 4 },
    { arbitrary: fc.constantFrom('"', '\\', '/', '\u2028', '"__proto__":', '"constructor":'), weight: 1 },
    { arbitrary: codeUnit, weight: 2 },
  );
  return fc.string({ unit, minLength: 1, maxLength: max }).filter((s) => s.length <= max);
}

/** Lower-case names as `slug` allows (not `constructor` or `prototype`), with Object.prototype look-alikes mixed in. */
export const slugText = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,31}$/).filter((name) => name !== 'constructor' && name !== 'prototype'), weight: 6 },
  { arbitrary: fc.constantFrom('eu', 'na', 'tostring', 'hasownproperty', 'valueof'), weight: 1 },
);

const rating = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const member = fc.record({ sub: claimText(128), rating });

/** The lifetime rules a verifier applies to generated claims. */
export interface TimeRules {
  readonly now: number;
  /** Skew allowed on `iat` and `nbf`. */
  readonly leewayMs: number;
  readonly maxLifetimeMs: number;
}

/**
 * Ticket claims the schema accepts and that are valid at `rules.now` under its
 * rules (`exp` strictly after `now`, with no grace); `iat`, `exp`, `nbf` and
 * `queuedAt` vary in spelling as well as in time.
 */
export function validTicketClaims(rules: TimeRules): fc.Arbitrary<TicketClaims> {
  const { now, leewayMs, maxLifetimeMs } = rules;
  const issuedAt = pasetoDateNear(now - maxLifetimeMs + 1_000, now + leewayMs);
  const offset = fc.integer({ min: -MAX_OFFSET_MINUTES, max: MAX_OFFSET_MINUTES });
  return fc.tuple(issuedAt, offset, fc.integer({ min: 3, max: 9 })).chain(([iat, expOffset, expDigits]) => {
    // Long enough to be unexpired at `now`, never longer than allowed; written to
    // the millisecond at least, so exp - iat is exactly the generated lifetime.
    const shortest = Math.max(1_000, now - Date.parse(iat) + 1);
    const lifetime = fc.integer({ min: shortest, max: maxLifetimeMs });
    const exp = lifetime.map((ms) => rfc3339(Date.parse(iat) + ms, expOffset, expDigits));
    return fc.record(
      {
        iss: claimText(256),
        sub: claimText(128),
        aud: claimText(256),
        iat: fc.constant(iat),
        exp,
        nbf: pasetoDateNear(now - 10 * maxLifetimeMs, now + leewayMs),
        jti: claimText(128),
        pool: fc.record({ mode: slugText, region: slugText }),
        rating,
        queuedAt: pasetoDateNear(now - 10 * maxLifetimeMs, now + 10 * maxLifetimeMs),
        party: fc.array(member, { minLength: 1, maxLength: 15 }),
        latencies: fc.dictionary(slugText, fc.integer({ min: 0, max: 60_000 }), { maxKeys: 6, noNullPrototype: true }),
      },
      { requiredKeys: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti', 'pool', 'rating', 'queuedAt'] },
    );
  });
}
