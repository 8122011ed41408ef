import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EPOCH } from '../test/fixtures.ts';
import { watchKeyFile } from './key-file-watcher.ts';
import { activateNextKey, applyKeyFile, generateKeyFile, readKeyFile, rotateKeyFile, writeKeyFile } from './key-file.ts';
import { KeyRing } from './key-ring.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('watchKeyFile', () => {
  it('applies a changed file to the ring, and keeps the ring when the file is broken', () => {
    const path = join(dir, 'watched.json');
    writeKeyFile(path, generateKeyFile(EPOCH));
    const ring = new KeyRing();
    applyKeyFile(ring, readKeyFile(path));
    const errors: unknown[] = [];
    let reloads = 0;
    const watcher = watchKeyFile(path, ring, { intervalMs: 60_000, onReload: () => reloads++, onError: (e) => errors.push(e) });
    try {
      watcher.check();
      expect(reloads).toBe(0);
      const activated = activateNextKey(rotateKeyFile(readKeyFile(path), EPOCH + 1), EPOCH + 2, 3_600_000);
      writeKeyFile(path, activated);
      watcher.check();
      expect(reloads).toBe(1);
      expect(ring.signingKey().kid).toBe(activated.active);
      expect(errors).toEqual([]);

      writeFileSync(path, '{"format": "ticketbooth-keys/1", "keys": "nope"}');
      watcher.check();
      expect(reloads).toBe(1);
      expect(errors).toHaveLength(1);
      expect(ring.signingKey().kid).toBe(activated.active);
    } finally {
      watcher.stop();
    }
  });
});
