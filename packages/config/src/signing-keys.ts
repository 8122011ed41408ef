// A service's signing key file at start: read it, or (development only) make it. Every replica
// of a service reads the same file.
import { existsSync } from 'node:fs';
import { loadOrCreateKeyFile, readKeyFile, type KeyFile } from '@ticketbooth/tickets';
import { ConfigError } from './config.ts';

export type SigningService = 'issuer' | 'matchmaker';

/**
 * Reads the signing key file. A missing file is a start error unless `devKeys`: a replica that
 * made its own key would sign what its siblings and their verifiers do not know (an issuer's
 * tickets; a matchmaker's matches, which its backup must verify to rebuild them), and nothing
 * would say so.
 *
 * @example
 * applyKeyFile(keys, loadSigningKeyFile('issuer', config.keyFile, Date.now(), { devKeys: config.devKeys }));
 */
export function loadSigningKeyFile(service: SigningService, path: string, now: number, options: { readonly devKeys: boolean }): KeyFile {
  if (options.devKeys) return loadOrCreateKeyFile(path, now);
  if (!existsSync(path)) throw new ConfigError(missingKeyFileMessage(service, path));
  return readKeyFile(path);
}

export function missingKeyFileMessage(service: SigningService, path: string): string {
  const VAR = service.toUpperCase();
  return [
    `no signing key file at ${path} (${VAR}_KEY_FILE).`,
    `The ${service} makes no key of its own outside development: every ${service} replica must sign with the same keys.`,
    `Create the file once with the ${service} CLI, with the same ${VAR}_KEY_FILE (or TICKETBOOTH_HOME):`,
    `  pnpm --filter @ticketbooth/${service} cli keys list      (from the repository)`,
    `  node apps/${service}/dist/cli.js keys list               (a built tree)`,
    `  docker run ... <image> ${service}-cli keys list          (the container image)`,
    `then keep a backup and mount that one file (mode 0600) on every ${service}.`,
    `For development, ${VAR}_DEV_KEYS=1 generates it when missing (pnpm start does).`,
  ].join('\n');
}
