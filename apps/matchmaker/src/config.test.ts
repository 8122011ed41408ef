import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadKeyConfig, servedPools } from './config.ts';

describe('loadConfig', () => {
  it('defaults to the demo config on port 8701 serving every pool', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8701);
    expect(config.host).toBe('127.0.0.1');
    expect(config.pools).toEqual(['duel/eu', 'duel/na', 'squad/eu', 'squad/na']);
    expect(config.staleAfterMs).toBe(15_000);
    expect(config.warmupMs).toBe(7_000);
    expect(config.resultTtlMs).toBe(305_000);
    expect(config.keyFile).toMatch(/\.ticketbooth\/matchmaker-keys\.json$/);
    expect(config.fastLane).toBe(true);
    expect(config.refusals).toEqual({ burst: 50, perSecond: 5, perConnection: 10, holdMs: 1_000 });
  });

  it('turns the fast lane off and sets the refusal budget from the environment', () => {
    const config = loadConfig({
      MATCHMAKER_FAST_LANE: 'off',
      MATCHMAKER_INVALID_TICKET_BURST: '5',
      MATCHMAKER_INVALID_TICKETS_PER_S: '2',
      MATCHMAKER_INVALID_TICKETS_PER_CONNECTION: '3',
      MATCHMAKER_THROTTLED_HOLD_MS: '0',
    });
    expect(config.fastLane).toBe(false);
    expect(config.refusals).toEqual({ burst: 5, perSecond: 2, perConnection: 3, holdMs: 0 });
    expect(() => loadConfig({ MATCHMAKER_FAST_LANE: 'maybe' })).toThrow(/MATCHMAKER_FAST_LANE/);
    expect(() => loadConfig({ MATCHMAKER_INVALID_TICKETS_PER_CONNECTION: '0' })).toThrow(/MATCHMAKER_INVALID_TICKETS_PER_CONNECTION/);
  });

  it('applies env overrides of the shared config', () => {
    const config = loadConfig({ RESUBMIT_INTERVAL_MS: '300', WARMUP_MS: '500', MATCHMAKER_PORT: '9100', MATCHMAKER_POOLS: 'duel/eu' });
    expect(config.shared.resubmitIntervalMs).toBe(300);
    expect(config.staleAfterMs).toBe(900);
    expect(config.warmupMs).toBe(500);
    expect(config.port).toBe(9100);
    expect(config.pools).toEqual(['duel/eu']);
  });

  it('reads the shared config file named by TICKETBOOTH_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ modes: { trio: { teams: 2, teamSize: 3 } }, regions: ['ap'] }));
    expect(loadConfig({ TICKETBOOTH_CONFIG: file }).pools).toEqual(['trio/ap']);
  });

  it('serves every pool when MATCHMAKER_URL names it as the shard map default', () => {
    const config = loadConfig({ MATCHMAKER_PORT: '9123', MATCHMAKER_URL: 'http://127.0.0.1:9123' });
    expect(config.shared.matchmakers.default).toBe('http://127.0.0.1:9123');
    expect(config.pools).toHaveLength(4);
  });

  it('refuses to start serving no pool at all', () => {
    expect(() => loadConfig({ MATCHMAKER_PORT: '9124' })).toThrow(/no pool is served by http:\/\/127.0.0.1:9124/);
    expect(loadConfig({ MATCHMAKER_PORT: '9124', MATCHMAKER_POOLS: 'duel/na' }).pools).toEqual(['duel/na']);
  });

  it('polls the revocation feed at the issuer unless told not to, or given only a key file', () => {
    const defaults = loadConfig({});
    expect(defaults.revocationFeedUrl).toBe('http://127.0.0.1:8700');
    expect(defaults.shared.revocationPollMs).toBe(2_000);
    expect(defaults.keyPollMs).toBe(2_000);
    const custom = loadConfig({ ISSUER_URL: 'http://127.0.0.1:9700', REVOCATION_POLL_MS: '200' });
    expect(custom.revocationFeedUrl).toBe('http://127.0.0.1:9700');
    expect(custom.shared.revocationPollMs).toBe(200);
    expect(loadConfig({ REVOCATIONS: 'off' }).revocationFeedUrl).toBeUndefined();
    expect(loadConfig({ ISSUER_PUBLIC_KEY_FILE: '/keys.json' }).revocationFeedUrl).toBeUndefined();
    expect(loadConfig({ ISSUER_PUBLIC_KEY_FILE: '/keys.json', ISSUER_URL: 'http://127.0.0.1:9700' }).revocationFeedUrl).toBe('http://127.0.0.1:9700');
    expect(loadConfig({ ISSUER_PUBLIC_KEY_FILE: '/keys.json', REVOCATIONS: 'on' }).revocationFeedUrl).toBe('http://127.0.0.1:8700');
    expect(() => loadConfig({ REVOCATIONS: 'maybe' })).toThrow(/REVOCATIONS/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ MATCHMAKER_PORT: '', WARMUP_MS: '' }).port).toBe(8701);
  });

  it('fails fast and readably on bad input', () => {
    expect(() => loadConfig({ MATCHMAKER_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ MATCHMAKER_POOLS: 'chess/eu' })).toThrow(/chess\/eu is not a configured/);
    expect(() => loadConfig({ TICKETBOOTH_CONFIG: '/nonexistent/config.json' })).toThrow(ConfigError);
  });
});

describe('servedPools', () => {
  const shared = parseSharedConfig({
    ...DEMO_CONFIG,
    matchmakers: { default: 'http://127.0.0.1:8701', pools: { 'squad/eu': 'http://127.0.0.1:8702/' } },
  });

  it('gives the default instance every pool not mapped elsewhere', () => {
    expect(servedPools(shared, 'http://127.0.0.1:8701/')).toEqual(['duel/eu', 'duel/na', 'squad/na']);
  });

  it('gives a mapped instance only its pools', () => {
    expect(servedPools(shared, 'http://127.0.0.1:8702')).toEqual(['squad/eu']);
    expect(servedPools(shared, 'http://127.0.0.1:9999')).toEqual([]);
  });
});

describe('loadKeyConfig', () => {
  it("reads the key file and token lifetime as the service does, even where the service would not start (the key CLI's config)", () => {
    const env = { TICKETBOOTH_HOME: '/var/lib/tb', MATCHMAKER_PUBLIC_URL: 'http://mm-9.internal:8701', MATCH_TOKEN_TTL_MS: '120000' };
    expect(() => loadConfig(env)).toThrow(/no pool is served/);
    expect(loadKeyConfig(env)).toEqual({ keyFile: '/var/lib/tb/matchmaker-keys.json', matchTokenTtlMs: 120_000, shared: { resultWindowMs: 6 * 3_600_000 } });
    expect(loadKeyConfig({ ...env, RESULT_WINDOW_MS: '600000' }).shared.resultWindowMs).toBe(600_000);
    expect(loadKeyConfig({ MATCHMAKER_KEY_FILE: '/k.json' }).keyFile).toBe('/k.json');
    expect(() => loadKeyConfig({ MATCH_TOKEN_TTL_MS: '0x10' })).toThrow(ConfigError);
  });
});
