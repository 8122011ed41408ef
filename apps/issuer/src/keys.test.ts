import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyRing, generateKeyFile, readKeyFile, writeKeyFile } from '@ticketbooth/tickets';
import { afterAll, describe, expect, it } from 'vitest';
import { activateNextKey, applyKeyFile, loadOrCreateKeyFile, nextKey, rotateKeyFile, watchKeyFile } from './keys.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const HOUR = 3_600_000;
const dir = mkdtempSync(join(tmpdir(), 'issuer-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('key file', () => {
  it('is created on first start with one active key, then read back unchanged', () => {
    const path = join(dir, 'first', 'issuer-keys.json');
    const created = loadOrCreateKeyFile(path, T0);
    expect(created.keys).toHaveLength(1);
    expect(created.active).toBe(created.keys[0]!.kid);
    expect(loadOrCreateKeyFile(path, T0 + 1)).toEqual(created);
  });

  it('rotates in two steps: publish, then switch signing and retire the old key', () => {
    const start = generateKeyFile(T0);
    const oldKid = start.active!;
    const rotated = rotateKeyFile(start, T0 + 1_000);
    const next = nextKey(rotated)!;
    expect(rotated.active).toBe(oldKid);
    expect(next.notBefore).toBe('2030-01-01T00:00:01.000Z');
    expect(() => rotateKeyFile(rotated, T0 + 2_000)).toThrow(/activate/);

    const ring = new KeyRing();
    applyKeyFile(ring, rotated);
    expect(ring.signingKey().kid).toBe(oldKid);
    expect(ring.list().map((k) => k.kid)).toContain(next.kid);

    const activated = activateNextKey(rotated, T0 + 60_000, HOUR);
    expect(activated.active).toBe(next.kid);
    const old = activated.keys.find((k) => k.kid === oldKid)!;
    expect(old).toEqual({ kid: oldKid, public: old.public, notBefore: '2030-01-01T00:00:00.000Z', notAfter: '2030-01-01T01:01:00.000Z' });
    applyKeyFile(ring, activated);
    expect(ring.signingKey().kid).toBe(next.kid);
    expect(ring.isUsable(oldKid, T0 + HOUR)).toBe(true);
    expect(ring.isUsable(oldKid, T0 + 2 * HOUR)).toBe(false);
    expect(() => activateNextKey(activated, T0 + 70_000, HOUR)).toThrow(/rotate/);

    // A later rotation drops keys whose retirement has passed.
    const later = activateNextKey(rotateKeyFile(activated, T0 + 3 * HOUR), T0 + 3 * HOUR, HOUR);
    expect(later.keys.map((k) => k.kid)).not.toContain(oldKid);
  });

  it('is picked up by a running issuer when it changes on disk', () => {
    const path = join(dir, 'watched.json');
    writeKeyFile(path, generateKeyFile(T0));
    const ring = new KeyRing();
    applyKeyFile(ring, readKeyFile(path));
    const errors: unknown[] = [];
    let reloads = 0;
    const watcher = watchKeyFile(path, ring, { intervalMs: 60_000, onReload: () => reloads++, onError: (e) => errors.push(e) });
    try {
      watcher.check();
      expect(reloads).toBe(0);
      const activated = activateNextKey(rotateKeyFile(readKeyFile(path), T0 + 1), T0 + 2, HOUR);
      writeKeyFile(path, activated);
      watcher.check();
      expect(reloads).toBe(1);
      expect(ring.signingKey().kid).toBe(activated.active);
      expect(errors).toEqual([]);
    } finally {
      watcher.stop();
    }
  });
});
