// Starts the matchmaker: config, keys, createApp, serve, tick, stop on signals.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '@ticketbooth/config';
import { onShutdown, startServer } from '@ticketbooth/http';
import { KeyRing, applyKeyFile, loadOrCreateKeyFile, watchKeyFile } from '@ticketbooth/tickets';
import { createApp } from './app.ts';
import { loadConfig, type MatchmakerConfig } from './config.ts';
import { fileKeys, issuerKeys } from './keys-source.ts';
import { runRevocationFeed } from './revocation-feed.ts';

async function main(config: MatchmakerConfig): Promise<void> {
  // This matchmaker's own match-signing key: generated (0600) on first start, rotated with its CLI.
  const matchKeys = new KeyRing();
  applyKeyFile(matchKeys, loadOrCreateKeyFile(config.keyFile, Date.now()));
  const keyWatcher = watchKeyFile(config.keyFile, matchKeys, {
    intervalMs: config.keyPollMs,
    onReload: () => console.log(`ticketbooth-matchmaker reloaded keys; signing matches with ${matchKeys.signingKey().kid}`),
    onError: (error) => console.error('ticketbooth-matchmaker: key file not reloaded:', error),
  });
  process.on('SIGHUP', () => keyWatcher.check());

  const keysOptions = { refreshMs: config.keysRefreshMs };
  const ticketKeys = config.issuerPublicKeyFile
    ? fileKeys(config.issuerPublicKeyFile, keysOptions)
    : issuerKeys(config.issuerUrl, keysOptions);
  const { app, matchmaker, lane } = createApp({
    settings: config,
    ticketKeys,
    matchKeys,
    now: Date.now,
    newId: randomUUID,
    defaultMetrics: true,
    ...(config.revocationFeedUrl === undefined ? {} : { revocationFeed: { issuerUrl: config.revocationFeedUrl, fetch } }),
  });
  // An unreachable issuer is logged, not fatal: /readyz says so until keys and the first feed arrive.
  await ticketKeys.start();
  const feed = matchmaker.revocationFeed
    ? runRevocationFeed(matchmaker.revocationFeed, {
        pollMs: config.shared.revocationPollMs,
        maxBackoffMs: config.revocationMaxBackoffMs,
        log: (message) => console.warn(message),
      })
    : undefined;
  if (feed === undefined) console.warn('ticketbooth-matchmaker: revocation feed off (REVOCATIONS=off): bans apply only as tickets expire');
  await feed?.firstPoll;
  const server = await startServer({ fetch: app.fetch, port: config.port, hostname: config.host, ...(config.fastLane ? { lane } : {}) });
  matchmaker.startWarmup();
  const ticker = setInterval(() => {
    try {
      matchmaker.tick();
    } catch (error) {
      console.error('tick failed:', error);
    }
  }, config.tickMs);
  console.log(`ticketbooth-matchmaker listening on ${server.url}${config.fastLane ? '' : ' (fast lane off)'}`);
  onShutdown(async () => {
    clearInterval(ticker);
    ticketKeys.stop();
    feed?.loop.stop();
    keyWatcher.stop();
    // Open event streams would hold the close until their tickets expire.
    await Promise.race([server.close(), sleep(2_000)]);
  });
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
