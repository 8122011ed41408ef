// fast-check arbitraries for hostile token text: raw strings and bytes, footers, deep JSON.
import fc from 'fast-check';
import { V4_PUBLIC_HEADER } from '../src/paseto.ts';

export const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Characters a lenient decoder skips or maps, and a few that are simply foreign. */
export const TROUBLE_CHARS = ['.', '=', '+', '/', ' ', '\n', '\r', '\t', '\0', '\u00a0', '\ufeff', '\u2028', 'é', '\ud800', '\udc00', '%'];

/** Any UTF-16 code unit, lone surrogates included. */
export const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** One character, weighted towards what base64url decoders and token splitters care about. */
export const tokenChar = fc.oneof(
  { arbitrary: fc.constantFrom(...BASE64URL_ALPHABET), weight: 4 },
  { arbitrary: fc.constantFrom(...TROUBLE_CHARS), weight: 2 },
  { arbitrary: codeUnit, weight: 1 },
);

const base64urlText = fc.uint8Array({ maxLength: 160 }).map((bytes) => Buffer.from(bytes).toString('base64url'));
const tokenishText = fc.string({ unit: tokenChar, maxLength: 300 });

/** Headers that are close to, but not, `v4.public.` (and sometimes exactly it). */
export const headerText = fc.oneof(
  fc.mixedCase(fc.constant(V4_PUBLIC_HEADER)),
  fc.constantFrom('v4.local.', 'v4.public', 'v4.public..', 'v4..public.', '.v4.public.', 'v04.public.', 'k4.public.', ' v4.public.'),
  fc.tuple(fc.nat({ max: 12 }), fc.constantFrom('public', 'local', 'secret')).map(([v, p]) => `v${v}.${p}.`),
);

/** Strings shaped like tokens: a header, a body and maybe a footer, in near-base64url. */
const tokenShaped = fc
  .tuple(headerText, fc.oneof(base64urlText, tokenishText), fc.option(fc.oneof(base64urlText, tokenishText), { nil: undefined }))
  .map(([header, body, footer]) => (footer === undefined ? header + body : `${header}${body}.${footer}`));

/** Anything a client could send as a token: strings, bytes read as latin1 or UTF-8, near-tokens. */
export const hostileText = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
  tokenShaped,
  tokenShaped,
);

/** Strings longer than `limit`, built by repeating a hostile seed (generating them char by char would be slow). */
export function oversizedText(limit: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.oneof(hostileText, fc.constant(V4_PUBLIC_HEADER)), fc.integer({ min: limit + 1, max: limit * 3 }))
    .map(([seed, length]) => (V4_PUBLIC_HEADER + seed).padEnd(length, seed.length > 0 ? seed : 'A'));
}

/** `depth` levels of arrays or objects around `inner`, e.g. `[[[1]]]` or `{"a":{"a":1}}`. */
export function nestedJson(depth: number, kind: 'array' | 'object', inner = '1'): string {
  const [open, close] = kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
  return open.repeat(depth) + inner + close.repeat(depth);
}

export const nestingKind = fc.constantFrom<'array' | 'object'>('array', 'object');

/** JSON nested up to `maxDepth` levels, under an object so it passes the "is an object" check first. */
export function deepJsonObject(maxDepth: number, key = 'kid'): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 1, max: maxDepth }), nestingKind)
    .map(([depth, kind]) => `{${JSON.stringify(key)}:${nestedJson(depth, kind)}}`);
}

/** JSON text that is well-formed but not what `JSON.stringify` would write back. */
export function nonCanonicalJson(canonical: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(fc.nat(), fc.constantFrom(' ', '\n', '\t', '\r')).map(([at, ws]) => insertAtStructural(canonical, at, ws)),
    fc.constant(canonical.replace(/"([a-z])/, (_, c: string) => `"\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)),
    fc.constant(canonical.replace(/^\{("[^"]+":"[^"]*")/, '{$1,$1')),
  );
}

/** Inserts `text` where JSON allows whitespace (next to a structural character, outside strings), chosen by `at`. */
function insertAtStructural(json: string, at: number, text: string): string {
  const spots = [0];
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString && c === '\\') i++;
    else if (c === '"') inString = !inString;
    else if (!inString && '{}[]:,'.includes(c as string)) spots.push(i + 1);
  }
  const spot = spots[at % spots.length] as number;
  return json.slice(0, spot) + text + json.slice(spot);
}

/** Footer bytes: ours, ours respelled or repurposed, arbitrary JSON, arbitrary bytes, deep nesting. */
export function footerBytes(kid: string): fc.Arbitrary<Buffer> {
  const ours = JSON.stringify({ kid, purpose: 'ticket' });
  return fc.oneof(
    fc.constantFrom(
      '',
      ours,
      JSON.stringify({ kid }),
      JSON.stringify({ kid, purpose: 'session' }),
      JSON.stringify({ purpose: 'ticket', kid }),
      JSON.stringify({ kid, purpose: 'ticket', x: 1 }),
      JSON.stringify({ kid: kid.toUpperCase(), purpose: 'ticket' }),
      JSON.stringify({ kid: 'k'.repeat(129) }),
    ).map((text) => Buffer.from(text)),
    nonCanonicalJson(ours).map((text) => Buffer.from(text)),
    fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text)),
    fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes)),
    deepJsonObject(2_500).map((text) => Buffer.from(text)),
  );
}
