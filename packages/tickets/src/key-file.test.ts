import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPOCH, seededKey, ticketClaims } from '../test/fixtures.ts';
import {
  activateNextKey,
  applyKeyFile,
  dropRetiredKeys,
  generateKeyFile,
  keyRingFromFile,
  keyRole,
  loadOrCreateKeyFile,
  nextKey,
  publicKeySet,
  publicKeySetSchema,
  readKeyFile,
  rotateKeyFile,
  writeKeyFile,
} from './key-file.ts';
import { KeyRing } from './key-ring.ts';
import { signToken } from './token.ts';
import { createVerifier } from './verifier.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'tb-keys-'));

describe('key files', () => {
  it('writes secrets with mode 0600 and reads them back into a signing ring', () => {
    const path = join(dir(), 'nested', 'keys.json');
    const file = generateKeyFile(EPOCH);
    writeKeyFile(path, file);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const ring = keyRingFromFile(readKeyFile(path));
    expect(ring.signingKey().kid).toBe(file.active);
    expect(readFileSync(path, 'utf8')).toContain('k4.secret.');
  });

  it('publishes only public keys, and a verifier built from them accepts the tokens', () => {
    const ring = keyRingFromFile(generateKeyFile(EPOCH));
    const published = publicKeySetSchema.parse(JSON.parse(JSON.stringify(publicKeySet(ring))));
    expect(JSON.stringify(published)).not.toContain('secret');
    const verifier = createVerifier({
      keys: keyRingFromFile(published),
      purpose: 'ticket',
      issuer: 'issuer',
      audience: 'matchmaker',
      maxLifetimeMs: 600_000,
      now: () => EPOCH,
    });
    expect(verifier.verify(signToken(ring.signingKey(), 'ticket', ticketClaims())).claims.sub).toBe('player-1');
  });

  it('refuses a file whose kid does not belong to its key', () => {
    const file = generateKeyFile(EPOCH);
    const entry = file.keys[0]!;
    const tampered = { ...file, keys: [{ ...entry, kid: seededKey(3).kid }] };
    expect(() => keyRingFromFile(tampered)).toThrow(/kid does not match/);
  });

  it('refuses an active kid without a secret, and files of another shape', () => {
    const file = generateKeyFile(EPOCH);
    const { secret: _secret, ...publicOnly } = file.keys[0]!;
    expect(() => keyRingFromFile({ ...file, keys: [publicOnly] })).toThrow(/no secret/);
    const path = join(dir(), 'bad.json');
    writeFileSync(path, JSON.stringify({ format: 'other', keys: [] }));
    expect(() => readKeyFile(path)).toThrow(TypeError);
  });
});

const HOUR = 3_600_000;

describe('key rotation', () => {
  it('creates the file on first start with one active key, then reads it back unchanged', () => {
    const path = join(dir(), 'first', 'keys.json');
    const created = loadOrCreateKeyFile(path, EPOCH);
    expect(created.keys).toHaveLength(1);
    expect(created.active).toBe(created.keys[0]!.kid);
    expect(loadOrCreateKeyFile(path, EPOCH + 1)).toEqual(created);
  });

  it('publishes the next key first, then switches signing and retires the old key', () => {
    const start = generateKeyFile(EPOCH);
    const oldKid = start.active!;
    const rotated = rotateKeyFile(start, EPOCH + 1_000, Buffer.alloc(32, 7));
    const next = nextKey(rotated)!;
    expect(next.kid).toBe(seededKey(7).kid);
    expect(rotated.active).toBe(oldKid);
    expect(next.notBefore).toBe('2026-01-01T00:00:01.000Z');
    expect(keyRole(rotated, next, EPOCH + 1_000)).toEqual({ role: 'next' });
    expect(() => rotateKeyFile(rotated, EPOCH + 2_000)).toThrow(/activate/);

    const ring = new KeyRing();
    applyKeyFile(ring, rotated);
    expect(ring.signingKey().kid).toBe(oldKid);
    expect(ring.list().map((k) => k.kid)).toContain(next.kid);

    const activated = activateNextKey(rotated, EPOCH + 60_000, HOUR);
    expect(activated.active).toBe(next.kid);
    const old = activated.keys.find((k) => k.kid === oldKid)!;
    expect(old).toEqual({ kid: oldKid, public: old.public, notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2026-01-01T01:01:00.000Z' });
    expect(keyRole(activated, old, EPOCH + HOUR)).toEqual({ role: 'retiring', notAfter: old.notAfter });
    applyKeyFile(ring, activated);
    expect(ring.signingKey().kid).toBe(next.kid);
    expect(ring.isUsable(oldKid, EPOCH + HOUR)).toBe(true);
    expect(ring.isUsable(oldKid, EPOCH + 2 * HOUR)).toBe(false);
    expect(() => activateNextKey(activated, EPOCH + 70_000, HOUR)).toThrow(/rotate/);
  });

  it('keeps tokens the old key signed verifiable until they expire, and new tokens verify from the first one', () => {
    const start = generateKeyFile(EPOCH);
    const ring = keyRingFromFile(start);
    const oldToken = signToken(ring.signingKey(), 'ticket', ticketClaims({}, EPOCH));
    const rotated = rotateKeyFile(start, EPOCH + 1_000);
    // A verifier that fetched the published set after "rotate" knows both keys.
    const published = keyRingFromFile(publicKeySet(keyRingFromFile(rotated)));
    const activated = activateNextKey(rotated, EPOCH + 2_000, 5 * 60_000 + 60_000);
    applyKeyFile(ring, activated);
    const newToken = signToken(ring.signingKey(), 'ticket', ticketClaims({ jti: 'jti-2' }, EPOCH + 2_000));
    const verify = (token: string, at: number) =>
      createVerifier({ keys: published, purpose: 'ticket', issuer: 'issuer', audience: 'matchmaker', maxLifetimeMs: 600_000, now: () => at }).verify(
        token,
      );
    expect(verify(newToken, EPOCH + 2_000).kid).toBe(activated.active);
    expect(verify(oldToken, EPOCH + 4 * 60_000).kid).toBe(start.active);
  });

  it('drops keys once their retirement has passed, on the next rotation too', () => {
    const activated = activateNextKey(rotateKeyFile(generateKeyFile(EPOCH), EPOCH), EPOCH + 1, HOUR);
    const retiredKid = activated.keys.find((k) => k.notAfter !== undefined)!.kid;
    expect(dropRetiredKeys(activated, EPOCH + HOUR).keys.map((k) => k.kid)).toContain(retiredKid);
    expect(keyRole(activated, activated.keys.find((k) => k.kid === retiredKid)!, EPOCH + 2 * HOUR).role).toBe('retired');
    expect(dropRetiredKeys(activated, EPOCH + 2 * HOUR).keys.map((k) => k.kid)).not.toContain(retiredKid);
    const later = rotateKeyFile(activated, EPOCH + 3 * HOUR);
    expect(later.keys.map((k) => k.kid)).not.toContain(retiredKid);
    expect(later.keys).toHaveLength(2);
    expect(() => activateNextKey(later, EPOCH + 3 * HOUR, 0)).toThrow(TypeError);
  });
});
