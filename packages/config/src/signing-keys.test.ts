import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config.ts';
import { loadSigningKeyFile } from './signing-keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'signing-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.parse('2030-01-01T00:00:00Z');

describe('loadSigningKeyFile for the matchmaker', () => {
  it('refuses a missing file outside development, naming its variables and CLI, and creates nothing', () => {
    const path = join(dir, 'matchmaker-keys.json');
    const load = () => loadSigningKeyFile('matchmaker', path, T0, { devKeys: false });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/MATCHMAKER_KEY_FILE[\s\S]*@ticketbooth\/matchmaker cli keys list[\s\S]*matchmaker-cli keys list[\s\S]*MATCHMAKER_DEV_KEYS=1/);
    expect(existsSync(path)).toBe(false);
    const made = loadSigningKeyFile('matchmaker', path, T0, { devKeys: true });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadSigningKeyFile('matchmaker', path, T0 + 1, { devKeys: false })).toEqual(made);
  });
});
