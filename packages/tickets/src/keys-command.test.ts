import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EPOCH } from '../test/fixtures.ts';
import { readKeyFile } from './key-file.ts';
import { isKeysCommand, runKeysCommand } from './keys-command.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-keys-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runKeysCommand', () => {
  it('lists, rotates and activates a key file, refusing steps out of order', () => {
    const path = join(dir, 'keys.json');
    const options = (now: number) => ({ path, now, retireAfterMs: 60_000, waitFor: 'the verifiers\' key refresh' });
    const first = runKeysCommand('list', options(EPOCH));
    expect(first).toMatch(/^k4\.pid\.\S+ {2}active\n$/);
    const firstKid = readKeyFile(path).active!;
    expect(() => runKeysCommand('activate', options(EPOCH))).toThrow(/keys rotate/);

    expect(runKeysCommand('rotate', options(EPOCH + 1))).toMatch(/^published k4\.pid\.\S+; run "keys activate" after the verifiers' key refresh\n$/);
    expect(() => runKeysCommand('rotate', options(EPOCH + 2))).toThrow(/keys activate/);
    expect(runKeysCommand('list', options(EPOCH + 2))).toContain('next (published, not signing)');

    const activated = runKeysCommand('activate', options(EPOCH + 10_000));
    expect(activated).toContain(`${firstKid} verifies until 2026-01-01T00:01:10.000Z`);
    expect(readKeyFile(path).active).not.toBe(firstKid);
    expect(runKeysCommand('list', options(EPOCH + 20_000))).toContain(`${firstKid}  retiring at 2026-01-01T00:01:10.000Z`);
    expect(runKeysCommand('list', options(EPOCH + 120_000))).toContain(`${firstKid}  retired since 2026-01-01T00:01:10.000Z`);
  });

  it('removes a key at once after a compromise, never the signing one', () => {
    const path = join(dir, 'compromised.json');
    const options = { path, now: EPOCH, retireAfterMs: 3_600_000, waitFor: 'nothing' };
    runKeysCommand('rotate', options);
    const compromised = readKeyFile(path).active!;
    expect(() => runKeysCommand('remove', { ...options, kid: compromised })).toThrow(/is signing/);
    runKeysCommand('activate', options);
    expect(() => runKeysCommand('remove', options)).toThrow(TypeError);
    expect(() => runKeysCommand('remove', { ...options, kid: 'k4.pid.nope' })).toThrow(/no key/);
    expect(runKeysCommand('remove', { ...options, kid: compromised })).toMatch(/^removed k4\.pid\./);
    expect(readKeyFile(path).keys.map((k) => k.kid)).toEqual([readKeyFile(path).active]);
  });

  it('knows its commands', () => {
    expect(['list', 'rotate', 'activate', 'remove'].every(isKeysCommand)).toBe(true);
    expect(isKeysCommand('delete')).toBe(false);
    expect(isKeysCommand(undefined)).toBe(false);
  });
});
