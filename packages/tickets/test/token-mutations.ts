// Mutations of valid tokens, as plain records so a failing case shrinks to something readable.
import fc from 'fast-check';
import { V4_PUBLIC_HEADER } from '../src/paseto.ts';
import { BASE64URL_ALPHABET, footerBytes, headerText, tokenChar } from './token-arbitraries.ts';

type Part = 'body' | 'footer';

export type Mutation =
  | { readonly kind: 'replace'; readonly at: number; readonly text: string }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'flipBit'; readonly part: Part; readonly at: number; readonly bit: number }
  | { readonly kind: 'duplicateSegment'; readonly from: number; readonly to: number }
  | { readonly kind: 'standardBase64'; readonly pad: boolean }
  | { readonly kind: 'padding'; readonly part: Part; readonly count: number }
  | { readonly kind: 'trailingBits'; readonly part: Part; readonly bits: number }
  | { readonly kind: 'header'; readonly header: string }
  | { readonly kind: 'setFooter'; readonly footer: Buffer }
  | { readonly kind: 'dropFooter'; readonly keepDot: boolean }
  | { readonly kind: 'transplant'; readonly part: Part; readonly donor: number };

const part = fc.constantFrom<Part>('body', 'footer');
const whitespace = fc.constantFrom(' ', '\n', '\r\n', '\t', '\u00a0', '\ufeff', '\u2028');

/** Mutations of a token; `transplant` takes a part from `donors[donor % donors.length]`. */
export function mutation(kid: string): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('replace'), at: fc.nat(), text: tokenChar }),
    fc.record({ kind: fc.constant('insert'), at: fc.nat(), text: fc.oneof(tokenChar, whitespace, fc.string({ unit: tokenChar, maxLength: 8 })) }),
    fc.record({ kind: fc.constant('delete'), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('truncate'), at: fc.nat() }),
    fc.record({ kind: fc.constant('flipBit'), part, at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('duplicateSegment'), from: fc.nat(), to: fc.nat() }),
    fc.record({ kind: fc.constant('standardBase64'), pad: fc.boolean() }),
    fc.record({ kind: fc.constant('padding'), part, count: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('trailingBits'), part, bits: fc.integer({ min: 1, max: 15 }) }),
    fc.record({ kind: fc.constant('header'), header: headerText }),
    fc.record({ kind: fc.constant('setFooter'), footer: footerBytes(kid) }),
    fc.record({ kind: fc.constant('dropFooter'), keepDot: fc.boolean() }),
    fc.record({ kind: fc.constant('transplant'), part, donor: fc.nat() }),
  ) as fc.Arbitrary<Mutation>;
}

/**
 * Mostly one mutation, sometimes two or three in a row (a later one may undo an
 * earlier one). Single changes are what reach the signature check most often.
 */
export function mutations(kid: string): fc.Arbitrary<Mutation[]> {
  const one = mutation(kid);
  return fc.oneof({ arbitrary: one.map((m) => [m]), weight: 3 }, { arbitrary: fc.array(one, { minLength: 2, maxLength: 3 }), weight: 1 });
}

interface Parts {
  readonly header: string;
  readonly body: string;
  readonly footer: string | undefined;
}

function split(token: string): Parts {
  const rest = token.slice(V4_PUBLIC_HEADER.length);
  const dot = rest.indexOf('.');
  return dot === -1
    ? { header: V4_PUBLIC_HEADER, body: rest, footer: undefined }
    : { header: V4_PUBLIC_HEADER, body: rest.slice(0, dot), footer: rest.slice(dot + 1) };
}

function join({ header, body, footer }: Parts): string {
  return footer === undefined ? header + body : `${header}${body}.${footer}`;
}

/** Applies the mutations in order; `donors` are other valid tokens. */
export function applyMutations(token: string, list: readonly Mutation[], donors: readonly string[]): string {
  return list.reduce((current, m) => applyMutation(current, m, donors), token);
}

function applyMutation(token: string, m: Mutation, donors: readonly string[]): string {
  const at = (n: number) => n % (token.length + 1);
  switch (m.kind) {
    case 'replace':
      return token.slice(0, at(m.at)) + m.text + token.slice(at(m.at) + 1);
    case 'insert':
      return token.slice(0, at(m.at)) + m.text + token.slice(at(m.at));
    case 'delete':
      return token.slice(0, at(m.at)) + token.slice(at(m.at) + m.count);
    case 'truncate':
      return token.slice(0, at(m.at));
    case 'duplicateSegment': {
      const segments = token.split('.');
      segments.splice(m.to % (segments.length + 1), 0, segments[m.from % segments.length] as string);
      return segments.join('.');
    }
    case 'header':
      return token.startsWith(V4_PUBLIC_HEADER) ? m.header + token.slice(V4_PUBLIC_HEADER.length) : token;
    default:
      return token.startsWith(V4_PUBLIC_HEADER) ? join(mutateParts(split(token), m, donors)) : token;
  }
}

function mutateParts(parts: Parts, m: Mutation, donors: readonly string[]): Parts {
  switch (m.kind) {
    case 'flipBit':
      return withPart(parts, m.part, (text) => flipBit(text, m.at, m.bit));
    case 'standardBase64':
      return { ...parts, body: standardBase64(parts.body, m.pad), footer: parts.footer && standardBase64(parts.footer, m.pad) };
    case 'padding':
      return withPart(parts, m.part, (text) => text + '='.repeat(m.count));
    case 'trailingBits':
      return withPart(parts, m.part, (text) => setTrailingBits(text, m.bits));
    case 'setFooter':
      return { ...parts, footer: m.footer.toString('base64url') };
    case 'dropFooter':
      // With the dot kept, "body." is the empty footer's second spelling.
      return { ...parts, footer: m.keepDot ? '' : undefined };
    case 'transplant': {
      const donor = split(donors[m.donor % donors.length] as string);
      return m.part === 'body' ? { ...parts, body: donor.body } : { ...parts, footer: donor.footer };
    }
    default:
      return parts;
  }
}

function withPart(parts: Parts, which: Part, change: (text: string) => string): Parts {
  if (which === 'body') return { ...parts, body: change(parts.body) };
  return parts.footer === undefined ? parts : { ...parts, footer: change(parts.footer) };
}

/** Flips one bit of the decoded bytes and re-encodes canonically: a well-formed, different token. */
function flipBit(text: string, at: number, bit: number): string {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length === 0) return text;
  bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ (1 << bit);
  return bytes.toString('base64url');
}

/** The same bytes in the standard alphabet (`+`, `/`), optionally `=`-padded. */
function standardBase64(text: string, pad: boolean): string {
  const standard = text.replaceAll('-', '+').replaceAll('_', '/');
  return pad ? standard.padEnd(Math.ceil(standard.length / 4) * 4, '=') : standard;
}

/**
 * Sets the unused low bits of the last character: a lenient decoder reads the
 * same bytes, so the signature would still hold. No-op when no bits are unused.
 */
export function setTrailingBits(text: string, bits: number): string {
  const unused = text.length % 4 === 2 ? 0b1111 : text.length % 4 === 3 ? 0b11 : 0;
  const last = BASE64URL_ALPHABET.indexOf(text.at(-1) ?? '');
  if (!(bits & unused) || last === -1) return text;
  return text.slice(0, -1) + BASE64URL_ALPHABET[(last & ~unused) | (bits & unused)];
}
