// Properties of strict decoding: total over any input, and only the one canonical spelling gets through.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededKey } from '../test/fixtures.ts';
import { expectTypeError, outcomeOf, refusalCode } from '../test/outcomes.ts';
import { deepJsonObject, footerBytes, hostileText, nestedJson, nestingKind, nonCanonicalJson, oversizedText } from '../test/token-arbitraries.ts';
import { setTrailingBits } from '../test/token-mutations.ts';
import { decodeBase64url, encodeBase64url, isCanonicalBase64url } from './base64url.ts';
import { createVerificationKey } from './key-ring.ts';
import { DEFAULT_MAX_TOKEN_BYTES, V4_PUBLIC_HEADER, parseToken, type ParsedToken } from './paseto.ts';
import { decodeFooter, decodeFooterCached, parseJsonObject } from './token.ts';
import { verifyRaw } from './verifier.ts';

const RUNS = 400;
const publicKey = createVerificationKey({ publicKey: seededKey(1).publicPaserk }).publicKey;

/** The token text a parsed token stands for: its one canonical spelling. */
function respell(parsed: ParsedToken): string {
  const body = V4_PUBLIC_HEADER + encodeBase64url(Buffer.concat([parsed.message, parsed.signature]));
  return parsed.footer.length === 0 ? body : `${body}.${encodeBase64url(parsed.footer)}`;
}

describe('parseToken', () => {
  it('is total: parts or TicketError, and parts only for the canonical spelling', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const outcome = outcomeOf(() => parseToken(text));
        if (outcome.ok) expect(respell(outcome.value)).toBe(text);
        else refusalCode(outcome, ['malformed', 'too_large']);
      }),
      { numRuns: RUNS },
    );
  });

  it('says too_large exactly when the text is longer than the limit, before decoding anything', () => {
    const limited = fc.tuple(fc.integer({ min: 0, max: 600 }), fc.oneof(hostileText, oversizedText(300)));
    fc.assert(
      fc.property(limited, ([limit, text]) => {
        const outcome = outcomeOf(() => parseToken(text, limit));
        if (text.length > limit) expect(refusalCode(outcome)).toBe('too_large');
        else if (!outcome.ok) expect(refusalCode(outcome)).toBe('malformed');
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(oversizedText(DEFAULT_MAX_TOKEN_BYTES), (text) => {
        expect(refusalCode(outcomeOf(() => parseToken(text)))).toBe('too_large');
      }),
      { numRuns: 50 },
    );
  });

  it('treats a non-string as the caller’s mistake: TypeError', () => {
    fc.assert(
      fc.property(fc.anything().filter((value) => typeof value !== 'string'), (value) => {
        expectTypeError(outcomeOf(() => parseToken(value as string)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('verifyRaw', () => {
  it('never accepts arbitrary text, and refuses it only with TicketError', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        refusalCode(outcomeOf(() => verifyRaw(text, publicKey)), ['malformed', 'too_large', 'bad_signature']);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('strict base64url', () => {
  it('is total, and decodes only text that encodes back to itself', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const bytes = decodeBase64url(text);
        expect(isCanonicalBase64url(text)).toBe(bytes !== undefined);
        if (bytes !== undefined) expect(encodeBase64url(bytes)).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips any bytes and refuses every other spelling of them', () => {
    const stray = fc.constantFrom('=', ' ', '\n', '+', '/');
    const spellings = fc.tuple(fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 1, max: 15 }), stray);
    fc.assert(
      fc.property(spellings, ([raw, bits, extra]) => {
        const bytes = Buffer.from(raw);
        const text = encodeBase64url(bytes);
        expect(decodeBase64url(text)).toEqual(bytes);
        const standard = bytes.toString('base64');
        const others = [setTrailingBits(text, bits), standard, text + extra, extra + text].filter((other) => other !== text);
        for (const other of others) expect(decodeBase64url(other), JSON.stringify(other)).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });
});

const jsonInputs = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.json().map((text) => Buffer.from(text)),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '')),
  fc.string({ unit: 'binary' }).map((text) => Buffer.from(text)),
  fc
    .dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 })
    .chain((value) => nonCanonicalJson(JSON.stringify(value)))
    .map((text) => Buffer.from(text)),
  deepJsonObject(3_000, 'a').map((text) => Buffer.from(text)),
);

describe('parseJsonObject', () => {
  it('is total: an object that stringifies back to the input, or TicketError malformed', () => {
    fc.assert(
      fc.property(jsonInputs, (bytes) => {
        const outcome = outcomeOf(() => parseJsonObject(bytes, 'payload'));
        if (outcome.ok) expect(JSON.stringify(outcome.value)).toBe(bytes.toString('utf8'));
        else refusalCode(outcome, ['malformed']);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses JSON nested deeper than the stack with TicketError, never RangeError', () => {
    const deep = fc.tuple(fc.integer({ min: 1, max: 20_000 }), nestingKind);
    fc.assert(
      fc.property(deep, ([depth, kind]) => {
        const bytes = Buffer.from(`{"a":${nestedJson(depth, kind)}}`);
        const outcome = outcomeOf(() => parseJsonObject(bytes, 'payload'));
        if (!outcome.ok) refusalCode(outcome, ['malformed']);
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a footer nested 20,000 deep (a stack overflow escaped as RangeError)', () => {
    const bytes = Buffer.from(`{"kid":${nestedJson(20_000, 'array')}}`);
    expect(refusalCode(outcomeOf(() => parseJsonObject(bytes, 'footer')))).toBe('malformed');
    expect(refusalCode(outcomeOf(() => decodeFooter(bytes)))).toBe('malformed');
  });
});

describe('decodeFooter', () => {
  it('is total, and the memoized decoder agrees with it on every input', () => {
    const kid = seededKey(1).kid;
    fc.assert(
      fc.property(fc.oneof(footerBytes(kid), jsonInputs), (bytes) => {
        const plain = outcomeOf(() => decodeFooter(bytes));
        const memoized = [outcomeOf(() => decodeFooterCached(bytes)), outcomeOf(() => decodeFooterCached(bytes))];
        if (!plain.ok) {
          const code = refusalCode(plain, ['malformed']);
          for (const again of memoized) expect(refusalCode(again)).toBe(code);
          return;
        }
        expect(typeof plain.value.kid).toBe('string');
        expect(Object.keys(plain.value).every((k) => k === 'kid' || k === 'purpose')).toBe(true);
        for (const again of memoized) expect(again).toEqual(plain);
      }),
      { numRuns: 200 },
    );
  });
});
