// Starts the matchmaker: config, keys, createApp, serve, tick, stop on signals.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadSigningKeyFile } from '@ticketbooth/config';
import { createLogger, fileKeys, onShutdown, publishedKeys, startServer } from '@ticketbooth/http';
import { KeyRing, applyKeyFile, watchKeyFile } from '@ticketbooth/tickets';
import { createAllocator } from './allocator.ts';
import { createApp } from './app.ts';
import { loadConfig, type MatchmakerConfig } from './config.ts';
import { runRevocationFeed } from './revocation-feed.ts';

const log = createLogger('ticketbooth-matchmaker');

async function main(config: MatchmakerConfig): Promise<void> {
  // The match-signing keys, one file for every matchmaker (a backup verifies its primary's
  // matches): generated (0600) only with MATCHMAKER_DEV_KEYS=1, rotated with the CLI.
  const matchKeys = new KeyRing();
  applyKeyFile(matchKeys, loadSigningKeyFile('matchmaker', config.keyFile, Date.now(), { devKeys: config.devKeys }));
  const keyWatcher = watchKeyFile(config.keyFile, matchKeys, {
    intervalMs: config.keyPollMs,
    onReload: () => log.info({ kid: matchKeys.signingKey().kid }, 'reloaded keys'),
    onError: (error) => log.error({ err: error }, 'key file not reloaded'),
  });
  process.on('SIGHUP', () => keyWatcher.check());

  const warn = (message: string) => log.warn(message);
  const keysOptions = { refreshMs: config.keysRefreshMs, what: 'ticket keys', log: warn };
  const ticketKeys = config.issuerPublicKeyFile
    ? fileKeys(config.issuerPublicKeyFile, keysOptions)
    : publishedKeys(config.issuerUrl, keysOptions);
  let draining = false;
  const { app, matchmaker, lane } = createApp({
    settings: config,
    ticketKeys,
    matchKeys,
    now: Date.now,
    newId: randomUUID,
    defaultMetrics: true,
    logger: log,
    isDraining: () => draining,
    ...(config.adminToken === undefined ? {} : { adminToken: config.adminToken }),
    ...(config.allocator === undefined ? {} : { allocate: createAllocator(config.allocator) }),
    ...(config.revocationFeedUrl === undefined ? {} : { revocationFeed: { issuerUrl: config.revocationFeedUrl, fetch } }),
  });
  // An unreachable issuer is logged, not fatal: /readyz says so until keys and the first feed arrive.
  await ticketKeys.start();
  const feed = matchmaker.revocationFeed
    ? runRevocationFeed(matchmaker.revocationFeed, { pollMs: config.shared.revocationPollMs, maxBackoffMs: config.revocationMaxBackoffMs, log: warn })
    : undefined;
  if (feed === undefined) log.warn('revocation feed off (REVOCATIONS=off): bans apply only as tickets expire');
  await feed?.firstPoll;
  const server = await startServer({
    fetch: app.fetch,
    port: config.port,
    hostname: config.host,
    // Idle connections outlive a resubmit interval (with its jitter): a client on schedule finds
    // its connection open instead of opening a new one every time.
    keepAliveTimeoutMs: Math.max(5_000, 2 * config.shared.resubmitIntervalMs + 1_000),
    ...(config.fastLane ? { lane } : {}),
  });
  matchmaker.startWarmup();
  const ticker = setInterval(() => {
    try {
      matchmaker.tick();
    } catch (error) {
      log.error({ err: error }, 'tick failed');
    }
  }, config.tickMs);
  onShutdown(async () => {
    // /readyz answers 503 from here on; requests in flight finish, then the server closes.
    draining = true;
    clearInterval(ticker);
    ticketKeys.stop();
    feed?.loop.stop();
    keyWatcher.stop();
    // Open event streams would hold the close until their tickets expire.
    await Promise.race([server.close(), sleep(2_000)]);
    await matchmaker.close();
  }, log);
  // Last: whoever waits for this line may signal the process at once.
  log.info({ url: server.url, fastLane: config.fastLane, pools: config.pools, allocator: config.allocator?.url }, `ticketbooth-matchmaker listening on ${server.url}`);
}

let config: MatchmakerConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // For the person starting it: the readable list, not a JSON line.
  console.error(error.message);
  process.exit(1);
}
main(config).catch((error: unknown) => {
  // A missing key file is for the person starting it too: the readable message, not a JSON line.
  if (error instanceof ConfigError) console.error(error.message);
  else log.fatal({ err: error }, 'ticketbooth-matchmaker failed to start');
  process.exit(1);
});
