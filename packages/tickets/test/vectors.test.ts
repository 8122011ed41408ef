// The official PASETO v4 and PASERK k4 vectors, run from the copies in fixtures/ (see fixtures/SOURCE.txt).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { publicKeyFromRaw, privateKeyFromSeed } from '../src/ed25519.ts';
import { TicketError } from '../src/errors.ts';
import { decodePublicPaserk, decodeSecretPaserk, encodePublicPaserk, encodeSecretPaserk, publicKeyId } from '../src/paserk.ts';
import { signV4Public } from '../src/paseto.ts';
import { verifyRaw } from '../src/verifier.ts';

interface Vector {
  name: string;
  'expect-fail': boolean;
  token: string;
  payload: string | null;
  footer: string;
  'implicit-assertion': string;
  'public-key'?: string;
  'secret-key-seed'?: string;
}
interface PaserkVector {
  name: string;
  'expect-fail': boolean;
  key: string;
  paserk: string | null;
  'secret-key-seed'?: string;
  'public-key'?: string | null;
}

const fixture = <T>(path: string): T[] =>
  (JSON.parse(readFileSync(new URL(`fixtures/${path}`, import.meta.url), 'utf8')) as { tests: T[] }).tests;

const v4 = fixture<Vector>('v4.json');
const signing = v4.filter((t) => t.name.startsWith('4-S-'));
const failing = v4.filter((t) => t.name.startsWith('4-F-'));
// 4-F-2 is a v4.public token with no key of its own: it must fail under the 4-S key.
const vectorPublicKey = publicKeyFromRaw(Buffer.from(signing[0]!['public-key']!, 'hex'));

describe('PASETO v4.public vectors', () => {
  it('covers every v4.public vector and every expected failure', () => {
    expect(signing.map((t) => t.name)).toEqual(['4-S-1', '4-S-2', '4-S-3']);
    expect(failing.map((t) => t.name)).toEqual(['4-F-1', '4-F-2', '4-F-3', '4-F-4', '4-F-5']);
  });

  it.each(signing)('$name verifies to its payload and footer', (t) => {
    const key = publicKeyFromRaw(Buffer.from(t['public-key']!, 'hex'));
    const { payload, footer } = verifyRaw(t.token, key, t['implicit-assertion']);
    expect(payload.toString()).toBe(t.payload);
    expect(footer.toString()).toBe(t.footer);
  });

  it.each(signing)('$name is reproduced byte for byte by the signer', (t) => {
    const key = privateKeyFromSeed(Buffer.from(t['secret-key-seed']!, 'hex'));
    const token = signV4Public(Buffer.from(t.payload!), key, Buffer.from(t.footer), Buffer.from(t['implicit-assertion']));
    expect(token).toBe(t.token);
  });

  it.each(signing)('$name fails under another implicit assertion', (t) => {
    const key = publicKeyFromRaw(Buffer.from(t['public-key']!, 'hex'));
    expect(() => verifyRaw(t.token, key, `${t['implicit-assertion']}x`)).toThrow(TicketError);
  });

  it.each(failing)('$name is refused', (t) => {
    expect(t['expect-fail']).toBe(true);
    let caught: unknown;
    try {
      verifyRaw(t.token, vectorPublicKey, t['implicit-assertion']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TicketError);
    const expected = t.token.startsWith('v4.public.') ? 'bad_signature' : 'malformed';
    expect((caught as TicketError).code).toBe(expected);
  });
});

describe('PASERK k4 vectors', () => {
  it.each(fixture<PaserkVector>('paserk/k4.public.json'))('$name', (t) => {
    const key = Buffer.from(t.key, 'hex');
    if (t['expect-fail']) {
      expect(() => encodePublicPaserk(key)).toThrow(TypeError);
      return;
    }
    expect(encodePublicPaserk(key)).toBe(t.paserk);
    expect(decodePublicPaserk(t.paserk!).toString('hex')).toBe(t.key);
  });

  it.each(fixture<PaserkVector>('paserk/k4.secret.json'))('$name', (t) => {
    const key = Buffer.from(t.key, 'hex');
    if (t['expect-fail']) {
      expect(() => encodeSecretPaserk(key)).toThrow(TypeError);
      return;
    }
    expect(encodeSecretPaserk(key)).toBe(t.paserk);
    expect(decodeSecretPaserk(t.paserk!).toString('hex')).toBe(t.key);
  });

  it.each(fixture<PaserkVector>('paserk/k4.pid.json'))('$name', (t) => {
    const key = Buffer.from(t.key, 'hex');
    if (t['expect-fail']) {
      expect(() => publicKeyId(key)).toThrow(TypeError);
      return;
    }
    expect(publicKeyId(key)).toBe(t.paserk);
  });

  it('refuses PASERKs of another version or type, or with a tampered public half', () => {
    expect(() => decodePublicPaserk('k3.public.AAAA')).toThrow(TypeError);
    expect(() => decodePublicPaserk('k4.secret.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toThrow(TypeError);
    expect(() => decodePublicPaserk('k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toThrow(TypeError);
    const secret = Buffer.from(fixture<PaserkVector>('paserk/k4.secret.json')[1]!.key, 'hex');
    secret[40] = (secret[40] as number) ^ 1;
    expect(() => decodeSecretPaserk(encodeSecretPaserk(secret))).toThrow(/does not match/);
  });
});
