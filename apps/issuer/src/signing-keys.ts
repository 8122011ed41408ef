// The issuer's key file at start: read it, or (development only) make it. Every replica reads the same file.
import { existsSync } from 'node:fs';
import { ConfigError } from '@ticketbooth/config';
import { loadOrCreateKeyFile, readKeyFile, type KeyFile } from '@ticketbooth/tickets';

/**
 * Reads the signing key file. A missing file is a start error unless `devKeys`: an issuer that
 * made its own key would sign sessions and tickets that its sibling replicas and the
 * matchmakers' cached key sets do not know, and nothing would say so.
 *
 * @example
 * applyKeyFile(keys, loadSigningKeyFile(config.keyFile, Date.now(), { devKeys: config.devKeys }));
 */
export function loadSigningKeyFile(path: string, now: number, options: { readonly devKeys: boolean }): KeyFile {
  if (options.devKeys) return loadOrCreateKeyFile(path, now);
  if (!existsSync(path)) throw new ConfigError(missingKeyFileMessage(path));
  return readKeyFile(path);
}

export function missingKeyFileMessage(path: string): string {
  return [
    `no signing key file at ${path} (ISSUER_KEY_FILE).`,
    'The issuer makes no key of its own outside development: every issuer replica must sign with the same keys.',
    'Create the file once with the issuer CLI, with the same ISSUER_KEY_FILE (or TICKETBOOTH_HOME):',
    '  pnpm --filter @ticketbooth/issuer cli keys list      (from the repository)',
    '  node apps/issuer/dist/cli.js keys list               (a built tree)',
    '  docker run ... <image> issuer-cli keys list          (the container image)',
    'then keep a backup and mount that one file (mode 0600) on every issuer.',
    'For development, ISSUER_DEV_KEYS=1 generates it when missing (pnpm start does).',
  ].join('\n');
}
