// Starts the matchmaker: config, keys, createApp, serve, tick, stop on signals.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '@ticketbooth/config';
import { onShutdown, startServer } from '@ticketbooth/http';
import { generateKeyFile, keyRingFromFile, readKeyFile, writeKeyFile, type KeyFile } from '@ticketbooth/tickets';
import { createApp } from './app.ts';
import { loadConfig, type MatchmakerConfig } from './config.ts';
import { fileKeys, issuerKeys } from './keys-source.ts';

async function main(config: MatchmakerConfig): Promise<void> {
  const matchKeys = keyRingFromFile(loadOrCreateKeyFile(config.keyFile));
  const keysOptions = { refreshMs: config.keysRefreshMs };
  const ticketKeys = config.issuerPublicKeyFile
    ? fileKeys(config.issuerPublicKeyFile, keysOptions)
    : issuerKeys(config.issuerUrl, keysOptions);
  const { app, matchmaker } = createApp({
    settings: config,
    ticketKeys,
    matchKeys,
    now: Date.now,
    newId: randomUUID,
    defaultMetrics: true,
  });
  // An unreachable issuer is logged, not fatal: /readyz says so until keys arrive.
  await ticketKeys.start();
  const server = await startServer({ fetch: app.fetch, port: config.port, hostname: config.host });
  const ticker = setInterval(() => {
    try {
      matchmaker.tick();
    } catch (error) {
      console.error('tick failed:', error);
    }
  }, config.tickMs);
  console.log(`ticketbooth-matchmaker listening on ${server.url}`);
  onShutdown(async () => {
    clearInterval(ticker);
    ticketKeys.stop();
    // Open event streams would hold the close until their tickets expire.
    await Promise.race([server.close(), sleep(2_000)]);
  });
}

/** This matchmaker's own match-signing key, generated (0600) on first start. */
function loadOrCreateKeyFile(path: string): KeyFile {
  if (existsSync(path)) return readKeyFile(path);
  const file = generateKeyFile(Date.now());
  writeKeyFile(path, file);
  return file;
}

let config: MatchmakerConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
main(config).catch((error: unknown) => {
  console.error('ticketbooth-matchmaker failed to start:', error);
  process.exit(1);
});
