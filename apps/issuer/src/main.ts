// Entry point: read config, build deps, serve, handle signals. Nothing else.
import { randomUUID } from 'node:crypto';
import { ConfigError, loadSigningKeyFile } from '@ticketbooth/config';
import { createLogger, onShutdown, publishedKeys, startServer } from '@ticketbooth/http';
import { KeyRing, applyKeyFile, watchKeyFile } from '@ticketbooth/tickets';
import { createApp } from './app.ts';
import { loadIssuerConfig } from './config.ts';
import { openStorage } from './open-store.ts';
import { createPasswordHasher } from './passwords.ts';

const log = createLogger('ticketbooth-issuer');

async function main(): Promise<void> {
  const config = loadIssuerConfig();
  const keys = new KeyRing();
  applyKeyFile(keys, loadSigningKeyFile('issuer', config.keyFile, Date.now(), { devKeys: config.devKeys }));
  const { store, loginLimits } = await openStorage(config.database, config.settings.loginLimits);
  const watcher = watchKeyFile(config.keyFile, keys, {
    intervalMs: config.keyPollMs,
    onReload: () => log.info({ kid: keys.signingKey().kid }, 'reloaded keys'),
    onError: (error) => log.error({ err: error }, 'key file not reloaded'),
  });
  process.on('SIGHUP', () => watcher.check());

  // The match tokens results name: every matchmaker of a deployment signs with one key file
  // (as replicas of the issuer share one), published by each; the default one's are fetched.
  const startedAt = Date.now();
  const matchKeys = publishedKeys(config.shared.matchmakers.default, {
    refreshMs: 60_000,
    what: 'matchmaker keys',
    // The matchmaker often starts after the issuer (pnpm start does): a failure is news only
    // once keys were loaded, or still failing half a minute in.
    log: (message) => (matchKeys.hasKeys() || Date.now() - startedAt > 30_000 ? log.warn(message) : log.debug(message)),
  });
  // Not awaited: the matchmaker may start after the issuer; results answer 503 until the keys load.
  void matchKeys.start();

  let draining = false;
  const app = createApp({
    shared: config.shared,
    settings: config.settings,
    store,
    loginLimits,
    keys,
    passwords: createPasswordHasher(),
    now: Date.now,
    randomId: randomUUID,
    processMetrics: true,
    logger: log,
    isDraining: () => draining,
    matchKeys,
  });
  const server = await startServer({ fetch: app.fetch, port: config.port, hostname: config.host, requestTimeoutMs: config.requestTimeoutMs });
  onShutdown(async () => {
    // /readyz answers 503 from here on; requests in flight finish; then the store closes.
    draining = true;
    watcher.stop();
    matchKeys.stop();
    await server.close();
    await store.close();
  }, log);
  // Last: whoever waits for this line may signal the process at once.
  log.info({ url: server.url }, `ticketbooth-issuer listening on ${server.url}`);
}

main().catch((error: unknown) => {
  // A config error is for the person starting it: the readable list, not a JSON line.
  if (error instanceof ConfigError) console.error(error.message);
  else log.fatal({ err: error }, 'ticketbooth-issuer failed to start');
  process.exit(1);
});
