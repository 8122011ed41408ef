// `keys list|rotate|activate` for a service's own key file: one implementation behind both services' CLIs.
import { activateNextKey, keyRole, loadOrCreateKeyFile, nextKey, removeKey, rotateKeyFile, writeKeyFile } from './key-file.ts';

export interface KeysCommandOptions {
  readonly path: string;
  readonly now: number;
  /** How long a replaced key keeps verifying: the longest lifetime of what it signed, plus leeway. */
  readonly retireAfterMs: number;
  /** What `activate` asks the operator to have waited for, e.g. "the matchmakers' key refresh (60 s)". */
  readonly waitFor: string;
  /** The kid `remove` takes out. */
  readonly kid?: string;
}

export const KEYS_COMMANDS = ['list', 'rotate', 'activate', 'remove'] as const;
export type KeysCommand = (typeof KEYS_COMMANDS)[number];

export function isKeysCommand(value: string | undefined): value is KeysCommand {
  return (KEYS_COMMANDS as readonly (string | undefined)[]).includes(value);
}

/**
 * Runs one step on the key file and returns what to print. Refusals (rotate
 * twice, activate without a next key, remove the signing key) throw `Error`
 * and leave the file as it was. A caller mistake (remove without a kid) is a `TypeError`.
 */
export function runKeysCommand(command: KeysCommand, options: KeysCommandOptions): string {
  const { path, now } = options;
  const file = loadOrCreateKeyFile(path, now);
  if (command === 'list') {
    return file.keys
      .map((key) => {
        const role = keyRole(file, key, now);
        const text =
          role.role === 'next'
            ? 'next (published, not signing)'
            : role.role === 'active'
              ? 'active'
              : `${role.role} ${role.role === 'retiring' ? 'at' : 'since'} ${role.notAfter}`;
        return `${key.kid}  ${text}\n`;
      })
      .join('');
  }
  if (command === 'rotate') {
    const rotated = rotateKeyFile(file, now);
    writeKeyFile(path, rotated);
    return `published ${nextKey(rotated)!.kid}; run "keys activate" after ${options.waitFor}\n`;
  }
  if (command === 'remove') {
    if (options.kid === undefined) throw new TypeError('keys remove needs the <kid> to remove');
    writeKeyFile(path, removeKey(file, options.kid));
    return `removed ${options.kid}: tokens it signed stop verifying once verifiers reload their keys\n`;
  }
  const activated = activateNextKey(file, now, options.retireAfterMs);
  writeKeyFile(path, activated);
  const old = activated.keys.find((k) => k.kid === file.active);
  return `signing with ${activated.active}${old?.notAfter ? `; ${old.kid} verifies until ${old.notAfter}` : ''}\n`;
}
