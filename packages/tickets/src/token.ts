// Claims <-> PASETO: serialize and sign with a purpose; decode footers and payloads strictly.
import { isUtf8 } from 'node:buffer';
import { CLAIM_SCHEMAS, isPurpose, type ClaimsOf, type Purpose } from './claims.ts';
import { TicketError } from './errors.ts';
import type { SigningKey } from './key-ring.ts';
import { signV4Public } from './paseto.ts';

const IMPLICIT = Object.fromEntries(
  Object.keys(CLAIM_SCHEMAS).map((p) => [p, Buffer.from(implicitAssertion(p as Purpose))]),
) as Record<Purpose, Buffer>;

/** Keys that could reach an object's prototype; refused in every payload and footer. */
const FORBIDDEN_KEY = /"(?:__proto__|constructor|prototype)":/;

/** The implicit assertion binding a token to its purpose: signed over, never sent. */
export function implicitAssertion(purpose: Purpose): string {
  return `ticketbooth:${purpose}`;
}

export function implicitBytes(purpose: Purpose): Buffer {
  return IMPLICIT[purpose];
}

export interface Footer {
  readonly kid: string;
  readonly purpose?: Purpose;
}

/**
 * Signs claims for a purpose. The claims are checked against the purpose's
 * schema first (a mistake there is the caller's: `TypeError`), and serialized
 * in schema order, so equal inputs give byte-identical tokens. Claims the
 * verifier would refuse are refused here too, so every token signed verifies.
 *
 * @example
 * signToken(ring.signingKey(), 'ticket', { iss, sub, aud, iat, exp, jti, pool, rating, queuedAt })
 */
export function signToken<P extends Purpose>(key: SigningKey, purpose: P, claims: ClaimsOf<P>): string {
  const checked = CLAIM_SCHEMAS[purpose].safeParse(claims);
  if (!checked.success) throw new TypeError(`invalid ${purpose} claims: ${checked.error.message}`);
  const payload = JSON.stringify(checked.data);
  const footer: Footer = { kid: key.kid, purpose };
  return signV4Public(
    Buffer.from(payload),
    key.privateKey,
    Buffer.from(JSON.stringify(footer)),
    IMPLICIT[purpose],
  );
}

const recentFooters = new Map<string, Footer>();

/**
 * `decodeFooter` remembering the last few footers: every token from one key
 * carries the same footer, so the cold path skips a JSON parse. Bounded, and
 * only well-formed footers are kept.
 */
export function decodeFooterCached(footer: Buffer): Footer {
  const text = footer.toString('latin1');
  const known = recentFooters.get(text);
  if (known !== undefined) return known;
  const decoded = Object.freeze(decodeFooter(footer));
  if (recentFooters.size >= 32) recentFooters.clear();
  recentFooters.set(text, decoded);
  return decoded;
}

/** Reads the footer without trusting it: it only says which key to try. */
export function decodeFooter(footer: Buffer): Footer {
  const value = parseJsonObject(footer, 'footer');
  const { kid, purpose } = value;
  const keys = Object.keys(value);
  if (typeof kid !== 'string' || kid.length > 128 || keys.some((k) => k !== 'kid' && k !== 'purpose')) {
    throw new TicketError('malformed', 'footer must be {"kid": string, "purpose"?: string}');
  }
  if (purpose !== undefined && !isPurpose(purpose)) throw new TicketError('malformed', 'footer names an unknown purpose');
  return purpose === undefined ? { kid } : { kid, purpose };
}

/**
 * Parses a JSON object that must be in canonical form: what `JSON.stringify`
 * writes back, so no whitespace, no duplicate keys, no escapes that spell a
 * key two ways. Keys that could reach an object's prototype are refused.
 */
export function parseJsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  if (!isUtf8(bytes)) throw new TicketError('malformed', `${what} is not UTF-8`);
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TicketError('malformed', `${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TicketError('malformed', `${what} must be a JSON object`);
  }
  if (FORBIDDEN_KEY.test(text)) throw new TicketError('malformed', `${what} has a forbidden key`);
  const canonical = stringifyWithinStack(value);
  if (canonical === undefined) throw new TicketError('malformed', `${what} is nested too deeply`);
  if (canonical !== text) throw new TicketError('malformed', `${what} is not canonical JSON`);
  return value as Record<string, unknown>;
}

/**
 * `JSON.stringify`, or undefined when the value nests deeper than the stack allows:
 * JSON.parse is iterative, but JSON.stringify recurses and throws RangeError a few
 * thousand levels down, and the footer is read before any signature is checked.
 */
function stringifyWithinStack(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
