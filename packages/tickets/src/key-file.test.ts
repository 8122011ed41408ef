import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPOCH, seededKey, ticketClaims } from '../test/fixtures.ts';
import { generateKeyFile, keyRingFromFile, publicKeySet, publicKeySetSchema, readKeyFile, writeKeyFile } from './key-file.ts';
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
