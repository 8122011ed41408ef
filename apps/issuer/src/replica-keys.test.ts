import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadSigningKeyFile } from '@ticketbooth/config';
import { KeyRing, applyKeyFile, createVerifier, keyRingFromFile, readKeyFile, runKeysCommand, watchKeyFile, type KeyFileWatcher } from '@ticketbooth/tickets';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { T0, createTestIssuer, jsonRequest, signUp, type TestIssuer } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'issuer-signing-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let file = 0;
const freshPath = () => join(dir, `keys-${++file}.json`);

describe('loadSigningKeyFile', () => {
  it('refuses a missing file outside development, saying how to create one, and creates nothing', () => {
    const path = freshPath();
    const load = () => loadSigningKeyFile('issuer', path, T0, { devKeys: false });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`no signing key file at ${path} (ISSUER_KEY_FILE)`);
    expect(load).toThrow(/cli keys list[\s\S]*dist\/cli\.js keys list[\s\S]*issuer-cli keys list[\s\S]*every issuer[\s\S]*ISSUER_DEV_KEYS=1/);
    expect(existsSync(path)).toBe(false);
  });

  it('generates a missing file (0600) when asked for development keys, then reads that one', () => {
    const path = freshPath();
    const made = loadSigningKeyFile('issuer', path, T0, { devKeys: true });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadSigningKeyFile('issuer', path, T0 + 1, { devKeys: false })).toEqual(made);
    expect(loadSigningKeyFile('issuer', path, T0 + 1, { devKeys: true })).toEqual(made);
  });
});

describe('issuer replicas sharing one key file', () => {
  const issuers: TestIssuer[] = [];
  const watchers: KeyFileWatcher[] = [];
  afterEach(async () => {
    for (const watcher of watchers.splice(0)) watcher.stop();
    await Promise.all(issuers.splice(0).map((issuer) => issuer.close()));
  });

  /** What main.ts does at start: load the file into a ring, and re-read it when it changes. */
  function replica(path: string): { issuer: TestIssuer; reloads: () => number } {
    const keys = new KeyRing();
    applyKeyFile(keys, loadSigningKeyFile('issuer', path, T0, { devKeys: false }));
    let reloads = 0;
    watchers.push(watchKeyFile(path, keys, { intervalMs: 20, onReload: () => (reloads += 1) }));
    const issuer = createTestIssuer({ keys });
    issuers.push(issuer);
    return { issuer, reloads: () => reloads };
  }

  const publishedKids = async (issuer: TestIssuer) =>
    ((await (await issuer.app.request('/v1/keys')).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
  /** Logs in and verifies the session with the keys in the file, as any verifier would: the kid that signed it. */
  const sessionKid = async (issuer: TestIssuer, username: string, path: string) => {
    const res = await issuer.app.request('/v1/sessions', jsonRequest('POST', { username, password: 'correct horse battery' }));
    const { token } = (await res.json()) as { token: string };
    const { shared } = issuer;
    const verifier = createVerifier({
      keys: keyRingFromFile(readKeyFile(path)),
      purpose: 'session',
      issuer: shared.issuer,
      audience: shared.audiences.session,
      maxLifetimeMs: shared.sessionTtlMs,
      now: issuer.now,
    });
    return verifier.verify(token).kid;
  };

  it('sign with the same key, and both pick up a rotation written to the file', async () => {
    const path = freshPath();
    const keys = (now: number) => ({ path, now, retireAfterMs: 3_600_000, waitFor: 'the key refresh' });
    runKeysCommand('list', keys(T0)); // How an operator creates the file: the issuer CLI's `keys list`.
    const first = readKeyFile(path).active!;
    const [one, two] = [replica(path), replica(path)];
    // Each replica here has a store of its own; only the key file is shared.
    await signUp(one.issuer, 'alice');
    await signUp(two.issuer, 'bob');
    expect([await sessionKid(one.issuer, 'alice', path), await sessionKid(two.issuer, 'bob', path)]).toEqual([first, first]);

    // Step 1 on the shared file: both publish the next key, and still sign with the first.
    runKeysCommand('rotate', keys(T0));
    const next = readKeyFile(path).keys.find((k) => k.kid !== first)!.kid;
    await vi.waitFor(() => expect([one.reloads(), two.reloads()]).toEqual([1, 1]), { timeout: 5_000, interval: 20 });
    for (const replicaOf of [one, two]) expect(await publishedKids(replicaOf.issuer)).toEqual([first, next].sort());
    expect(await sessionKid(two.issuer, 'bob', path)).toBe(first);

    // Step 2: both sign with the next key; the first still verifies what it signed.
    runKeysCommand('activate', keys(T0));
    await vi.waitFor(() => expect([one.reloads(), two.reloads()]).toEqual([2, 2]), { timeout: 5_000, interval: 20 });
    expect([await sessionKid(one.issuer, 'alice', path), await sessionKid(two.issuer, 'bob', path)]).toEqual([next, next]);
    for (const replicaOf of [one, two]) expect(await publishedKids(replicaOf.issuer)).toEqual([first, next].sort());
  });
});
