// Entry point: read config, build deps, serve, handle signals. Nothing else.
import { randomUUID } from 'node:crypto';
import { ConfigError } from '@ticketbooth/config';
import { onShutdown, startServer } from '@ticketbooth/http';
import { KeyRing, applyKeyFile, loadOrCreateKeyFile, watchKeyFile } from '@ticketbooth/tickets';
import { createApp } from './app.ts';
import { loadIssuerConfig } from './config.ts';
import { openStore } from './open-store.ts';
import { createPasswordHasher } from './passwords.ts';

async function main(): Promise<void> {
  const config = loadIssuerConfig();
  const store = await openStore(config.database);
  const keys = new KeyRing();
  applyKeyFile(keys, loadOrCreateKeyFile(config.keyFile, Date.now()));
  const watcher = watchKeyFile(config.keyFile, keys, {
    intervalMs: config.keyPollMs,
    onReload: () => console.log(`ticketbooth-issuer reloaded keys; signing with ${keys.signingKey().kid}`),
    onError: (error) => console.error('ticketbooth-issuer: key file not reloaded:', error),
  });
  process.on('SIGHUP', () => watcher.check());

  const app = createApp({
    shared: config.shared,
    settings: config.settings,
    store,
    keys,
    passwords: createPasswordHasher(),
    now: Date.now,
    randomId: randomUUID,
    processMetrics: true,
  });
  const server = await startServer({ fetch: app.fetch, port: config.port, hostname: config.host, requestTimeoutMs: config.requestTimeoutMs });
  console.log(`ticketbooth-issuer listening on ${server.url}`);
  onShutdown(async () => {
    watcher.stop();
    await server.close();
    await store.close();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
