// A running service picks up its rotated key file: mtime poll, or check() on SIGHUP.
import { statSync } from 'node:fs';
import { applyKeyFile, readKeyFile } from './key-file.ts';
import type { KeyRing } from './key-ring.ts';

export interface KeyFileWatcher {
  /** Re-reads the file now if it changed (SIGHUP lands here). */
  check(): void;
  stop(): void;
}

export interface KeyFileWatchOptions {
  readonly intervalMs: number;
  readonly onReload?: () => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Polls the key file's mtime, size and inode and applies changes to `ring`. A
 * file that fails to load leaves the ring as it was and is reported.
 *
 * @example
 * const watcher = watchKeyFile(path, ring, { intervalMs: 2_000, onError: console.error });
 * process.on('SIGHUP', () => watcher.check());
 */
export function watchKeyFile(path: string, ring: KeyRing, options: KeyFileWatchOptions): KeyFileWatcher {
  const stamp = () => {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  };
  let seen = stamp();
  function check(): void {
    try {
      const current = stamp();
      if (current === seen) return;
      seen = current;
      applyKeyFile(ring, readKeyFile(path));
      options.onReload?.();
    } catch (error) {
      options.onError?.(error);
    }
  }
  const timer = setInterval(check, options.intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
