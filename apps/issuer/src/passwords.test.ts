import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { normalizeUsername, passwordProblem } from './credentials.ts';
import { createPasswordHasher } from './passwords.ts';

describe('createPasswordHasher', () => {
  it('hashes with argon2id at OWASP cost by default', async () => {
    const stored = await createPasswordHasher().hash('correct horse');
    expect(stored).toMatch(/^\$argon2id\$v=19\$/);
    expect(parseOptions(stored)).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });

  it('verifies the right password only, and treats an unreadable hash as a mismatch', async () => {
    const passwords = createPasswordHasher({ memoryCost: 256, timeCost: 1, parallelism: 1 });
    const stored = await passwords.hash('correct horse');
    expect(await passwords.verify(stored, 'correct horse')).toBe(true);
    expect(await passwords.verify(stored, 'correct horsE')).toBe(false);
    expect(await passwords.verify('not a hash', 'correct horse')).toBe(false);
    expect(await passwords.verifyDummy('correct horse')).toBe(false);
  });
});

describe('credentials', () => {
  it('normalises usernames with NFKC and lower case', () => {
    expect(normalizeUsername('Ａlice')).toBe('alice');
    expect(normalizeUsername('Bob.the-Builder_2')).toBe('bob.the-builder_2');
    expect(normalizeUsername('ab')).toBeUndefined();
    expect(normalizeUsername('émile')).toBeUndefined();
    expect(normalizeUsername('a'.repeat(33))).toBeUndefined();
  });

  it('bounds passwords in characters and bytes', () => {
    expect(passwordProblem('1234567')).toMatch(/at least 8/);
    expect(passwordProblem('12345678')).toBeUndefined();
    expect(passwordProblem('😀'.repeat(256))).toBeUndefined();
    expect(passwordProblem('x'.repeat(257))).toMatch(/at most 256/);
  });
});
