import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@ticketbooth/config';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIssuerConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'issuer-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadIssuerConfig', () => {
  it('defaults to the demo config, SQLite under TICKETBOOTH_HOME and port 8700', () => {
    const config = loadIssuerConfig({ TICKETBOOTH_HOME: dir });
    expect(config.port).toBe(8700);
    expect(config.host).toBe('127.0.0.1');
    expect(config.database).toEqual({ kind: 'sqlite', path: join(dir, 'issuer.db') });
    expect(config.keyFile).toBe(join(dir, 'issuer-keys.json'));
    expect(Object.keys(config.shared.modes)).toEqual(['duel', 'squad']);
    expect(config.settings.adminToken).toBeUndefined();
    expect(config.settings.trustedProxyHops).toBe(0);
    expect(config.devKeys).toBe(false);
  });

  it('reads the client address from the socket unless proxy hops are given; a header named alone means one hop', () => {
    const settings = (env: Record<string, string>) => loadIssuerConfig({ TICKETBOOTH_HOME: dir, ...env }).settings;
    expect(settings({ ISSUER_TRUSTED_PROXY_HOPS: '2' })).toMatchObject({ trustedProxyHops: 2, clientAddressHeader: 'x-forwarded-for' });
    expect(settings({ ISSUER_CLIENT_ADDRESS_HEADER: 'X-Client-Chain' })).toMatchObject({ trustedProxyHops: 1, clientAddressHeader: 'x-client-chain' });
    expect(settings({ ISSUER_CLIENT_ADDRESS_HEADER: 'x-client-chain', ISSUER_TRUSTED_PROXY_HOPS: '3' })).toMatchObject({ trustedProxyHops: 3 });
    expect(() => settings({ ISSUER_CLIENT_ADDRESS_HEADER: 'x-forwarded-for', ISSUER_TRUSTED_PROXY_HOPS: '0' })).toThrow(
      /ISSUER_CLIENT_ADDRESS_HEADER: is read only with ISSUER_TRUSTED_PROXY_HOPS of 1 or more/,
    );
    expect(() => settings({ ISSUER_TRUSTED_PROXY_HOPS: '-1' })).toThrow(/ISSUER_TRUSTED_PROXY_HOPS: expected a whole number/);
    expect(() => settings({ ISSUER_TRUSTED_PROXY_HOPS: '17' })).toThrow(/ISSUER_TRUSTED_PROXY_HOPS/);
    expect(() => settings({ ISSUER_CLIENT_ADDRESS_HEADER: 'x forwarded' })).toThrow(/clientAddressHeader: expected a header name/);
  });

  it('generates a missing key file only with ISSUER_DEV_KEYS=1, never under NODE_ENV=production', () => {
    expect(loadIssuerConfig({ TICKETBOOTH_HOME: dir, ISSUER_DEV_KEYS: '1' }).devKeys).toBe(true);
    expect(loadIssuerConfig({ TICKETBOOTH_HOME: dir, ISSUER_DEV_KEYS: '0', NODE_ENV: 'development' }).devKeys).toBe(false);
    const production = () => loadIssuerConfig({ TICKETBOOTH_HOME: dir, ISSUER_DEV_KEYS: '1', NODE_ENV: 'production' });
    expect(production).toThrow(ConfigError);
    expect(production).toThrow(/ISSUER_DEV_KEYS: 1 is for development, not with NODE_ENV=production/);
    expect(() => loadIssuerConfig({ TICKETBOOTH_HOME: dir, ISSUER_DEV_KEYS: 'yes' })).toThrow(/ISSUER_DEV_KEYS/);
  });

  it('applies env overrides on top of a config file', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ modes: { duel: { teams: 2, teamSize: 1 } }, regions: ['eu'] }));
    const config = loadIssuerConfig({
      TICKETBOOTH_HOME: dir,
      TICKETBOOTH_CONFIG: file,
      TICKET_TTL_MS: '60000',
      RESUBMIT_INTERVAL_MS: '1000',
      PORT: '9000',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
      MATCHMAKER_URL: 'http://127.0.0.1:9100',
      ISSUER_PORT: '',
    });
    expect(config.shared).toMatchObject({ ticketTtlMs: 60_000, resubmitIntervalMs: 1_000, regions: ['eu'] });
    expect(config.shared.matchmakers.default).toBe('http://127.0.0.1:9100');
    expect(config.port).toBe(9000);
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(config.settings.adminToken).toBe('a-long-enough-admin-token');
  });

  it('fails fast with a message naming each bad setting', () => {
    const bad = () => loadIssuerConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TICKETBOOTH_HOME: dir });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/PORT[\s\S]*DATABASE_URL/);
    expect(() => loadIssuerConfig({ ADMIN_TOKEN: 'short', TICKETBOOTH_HOME: dir })).toThrow(/at least 16/);
    expect(() => loadIssuerConfig({ TICKETBOOTH_CONFIG: join(dir, 'missing.json') })).toThrow(/cannot read config file/);
    expect(() => loadIssuerConfig({ TICKET_TTL_MS: '100', TICKETBOOTH_HOME: dir })).toThrow(/two resubmit intervals/);
  });
});
