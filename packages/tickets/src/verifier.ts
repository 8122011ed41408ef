// The verifier: size, format, key, signature, then claims; successes cached by token string.
import type { KeyObject } from 'node:crypto';
import { ExpiringLru } from './cache.ts';
import { CLAIM_SCHEMAS, type ClaimsOf, type Purpose } from './claims.ts';
import { TicketError } from './errors.ts';
import type { KeyRing } from './key-ring.ts';
import { DEFAULT_MAX_TOKEN_BYTES, hasValidSignature, hasValidSignatureOffThread, parseToken, type ParsedToken } from './paseto.ts';
import { decodeFooterCached, implicitBytes, parseJsonObject } from './token.ts';

export interface VerifierOptions<P extends Purpose> {
  readonly keys: KeyRing;
  readonly purpose: P;
  /** Accepted `iss` values. */
  readonly issuer: string | readonly string[];
  readonly audience: string;
  /**
   * Clock skew tolerated on `iat` and `nbf`: a signer whose clock runs ahead of ours must not
   * have its fresh tokens refused. Never applied to `exp`. Default 5 s.
   */
  readonly leewayMs?: number;
  /**
   * How long past `exp` a token still verifies. 0 (the default) for anything that grants
   * access: a token's `exp` is then its one deadline, for the answer and the cache alike.
   * Only a verifier that reads an old token as evidence (the issuer's `previousTicket`,
   * which carries a wait across a late refresh) sets it.
   */
  readonly acceptExpiredForMs?: number;
  /** Longest `exp - iat` accepted. */
  readonly maxLifetimeMs: number;
  /** Default 8192. Checked before anything is decoded. */
  readonly maxTokenBytes?: number;
  /** Cached successes; 0 turns the cache off. Default 100,000. */
  readonly cacheSize?: number;
  readonly now?: () => number;
}

export interface Verified<P extends Purpose> {
  readonly purpose: P;
  readonly claims: Readonly<ClaimsOf<P>>;
  /** PASERK k4.pid of the key that signed, trusted because the signature held. */
  readonly kid: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface VerifierStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly size: number;
  readonly capacity: number;
}

export interface Verifier<P extends Purpose> {
  /** Returns the verified claims or throws `TicketError`. Repeats cost a map lookup. */
  verify(token: string): Verified<P>;
  /**
   * As `verify`, with the Ed25519 check on libuv's thread pool. A cached result, and any
   * refusal found before the signature (size, format, purpose, key), come back at once:
   * returned or thrown. The rest settles the promise.
   */
  verifyOffThread(token: string): Verified<P> | Promise<Verified<P>>;
  stats(): VerifierStats;
  /** Drops every cached result (e.g. after a key was removed for compromise). */
  clearCache(): void;
}

/**
 * @example
 * const tickets = createVerifier({ keys, purpose: 'ticket', issuer: 'ticketbooth-issuer',
 *   audience: 'ticketbooth-matchmaker', maxLifetimeMs: 10 * 60_000 });
 * const { claims } = tickets.verify(token); // claims.pool, claims.rating, ...
 */
export function createVerifier<P extends Purpose>(options: VerifierOptions<P>): Verifier<P> {
  const { keys, purpose, audience, maxLifetimeMs } = options;
  const issuers = new Set(typeof options.issuer === 'string' ? [options.issuer] : options.issuer);
  const leewayMs = options.leewayMs ?? 5_000;
  const acceptExpiredForMs = options.acceptExpiredForMs ?? 0;
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  const now = options.now ?? Date.now;
  const cache = new ExpiringLru<Verified<P>>(options.cacheSize ?? 100_000);
  const schema = CLAIM_SCHEMAS[purpose];
  const implicit = implicitBytes(purpose);
  if (!(maxLifetimeMs > 0)) throw new TypeError('maxLifetimeMs must be positive');
  if (!(leewayMs >= 0)) throw new TypeError('leewayMs must be >= 0');
  if (!(acceptExpiredForMs >= 0)) throw new TypeError('acceptExpiredForMs must be >= 0');
  if (!(Number.isInteger(maxTokenBytes) && maxTokenBytes > 0)) throw new TypeError('maxTokenBytes must be a positive whole number');
  if (issuers.size === 0 || !audience) throw new TypeError('issuer and audience are required');
  let hits = 0;
  let misses = 0;

  /** Format, purpose and key: every refusal that needs no signature check. */
  function open(token: string, at: number) {
    const parsed = parseToken(token, maxTokenBytes);
    if (parsed.footer.length === 0) throw new TicketError('malformed', 'token has no footer naming its key');
    const footer = decodeFooterCached(parsed.footer);
    // Both rejections below also hold cryptographically (the implicit assertion and
    // the key decide); checking them first only names the reason and saves the work.
    if (footer.purpose !== undefined && footer.purpose !== purpose) {
      throw new TicketError('wrong_purpose', `a ${footer.purpose} token is not a ${purpose} token`);
    }
    const key = keys.get(footer.kid);
    if (key === undefined) throw new TicketError('unknown_key', 'token signed by an unknown key');
    if (!(key.notBefore <= at && at < key.notAfter)) throw new TicketError('key_inactive', 'signing key not valid now');
    return { parsed, key };
  }

  /** The claim rules, once the signature held. */
  function accept(parsed: ParsedToken, kid: string, at: number): Verified<P> {
    const result = schema.safeParse(parseJsonObject(parsed.message, 'payload'));
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new TicketError('invalid_claims', `claim ${issue?.path.join('.') || '?'}: ${issue?.message ?? 'invalid'}`);
    }
    const claims = result.data as ClaimsOf<P>;
    if (!issuers.has(claims.iss)) throw new TicketError('wrong_issuer', 'unexpected issuer');
    if (claims.aud !== audience) throw new TicketError('wrong_audience', 'token is for another audience');
    const issuedAt = Date.parse(claims.iat);
    const expiresAt = Date.parse(claims.exp);
    if (expiresAt <= issuedAt) throw new TicketError('invalid_claims', 'exp must be after iat');
    if (expiresAt - issuedAt > maxLifetimeMs) throw new TicketError('lifetime_exceeded', 'token lives longer than allowed');
    if (issuedAt > at + leewayMs) throw new TicketError('not_yet_valid', 'token issued in the future');
    if (claims.nbf !== undefined && Date.parse(claims.nbf) > at + leewayMs) {
      throw new TicketError('not_yet_valid', 'token not valid yet');
    }
    if (at >= expiresAt + acceptExpiredForMs) throw new TicketError('expired', 'token expired');
    return { purpose, claims: deepFreeze(claims), kid, issuedAt, expiresAt };
  }

  /** The cached result of a token, when its key is still usable. */
  function cachedResult(token: string, at: number): Verified<P> | undefined {
    if (typeof token !== 'string') throw new TypeError('token must be a string');
    if (token.length > maxTokenBytes) throw new TicketError('too_large', `token longer than ${maxTokenBytes} bytes`);
    const cached = cache.get(token, at);
    // A key retired or removed after caching must stop serving its cached results.
    if (cached !== undefined && keys.isUsable(cached.kid, at)) {
      hits++;
      return cached;
    }
    misses++;
    return undefined;
  }

  function remember(token: string, verified: Verified<P>): Verified<P> {
    // Dropped at the same instant `accept` would refuse it: a cached success never outlives it.
    cache.set(token, verified, verified.expiresAt + acceptExpiredForMs);
    return verified;
  }

  return {
    verify(token) {
      const at = now();
      const cached = cachedResult(token, at);
      if (cached !== undefined) return cached;
      const { parsed, key } = open(token, at);
      if (!hasValidSignature(parsed, key.publicKey, implicit)) throw new TicketError('bad_signature', 'signature does not verify');
      return remember(token, accept(parsed, key.kid, at));
    },
    verifyOffThread(token) {
      const at = now();
      const cached = cachedResult(token, at);
      if (cached !== undefined) return cached;
      const { parsed, key } = open(token, at);
      return hasValidSignatureOffThread(parsed, key.publicKey, implicit).then((valid) => {
        if (!valid) throw new TicketError('bad_signature', 'signature does not verify');
        const done = now();
        // The key may have been removed (compromise) while the check ran.
        if (!keys.isUsable(key.kid, done)) throw new TicketError('key_inactive', 'signing key not valid now');
        return remember(token, accept(parsed, key.kid, done));
      });
    },
    stats: () => ({ hits, misses, ...cache.stats() }),
    clearCache: () => cache.clear(),
  };
}

/**
 * Format and signature only, no claim rules: for foreign tokens and the official
 * test vectors. Returns the payload and footer bytes or throws `TicketError`.
 */
export function verifyRaw(
  token: string,
  publicKey: KeyObject,
  implicit: string | Uint8Array = '',
  maxTokenBytes = DEFAULT_MAX_TOKEN_BYTES,
): { payload: Buffer; footer: Buffer } {
  const parsed = parseToken(token, maxTokenBytes);
  const implicitData = typeof implicit === 'string' ? Buffer.from(implicit) : implicit;
  if (!hasValidSignature(parsed, publicKey, implicitData)) throw new TicketError('bad_signature', 'signature does not verify');
  return { payload: parsed.message, footer: parsed.footer };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
