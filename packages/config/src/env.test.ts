import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.ts';
import { envInt, sharedConfigFromEnv } from './env.ts';

describe('sharedConfigFromEnv', () => {
  it('uses the demo config when no file is named, with overrides applied', () => {
    const config = sharedConfigFromEnv({ RESUBMIT_INTERVAL_MS: '300', TICKET_TTL_MS: '60000', MATCHMAKER_URL: 'http://127.0.0.1:9999', SESSION_TTL_MS: '' });
    expect(Object.keys(config.modes)).toEqual(['duel', 'squad']);
    expect(config.resubmitIntervalMs).toBe(300);
    expect(config.ticketTtlMs).toBe(60_000);
    expect(config.sessionTtlMs).toBe(3_600_000);
    expect(config.matchmakers.default).toBe('http://127.0.0.1:9999');
    expect(config.revocationPollMs).toBe(2_000);
    expect(sharedConfigFromEnv({ REVOCATION_POLL_MS: '250' }).revocationPollMs).toBe(250);
  });

  it('reads the file TICKETBOOTH_CONFIG names, relative to cwd', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-config-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ modes: { chess: { teams: 2, teamSize: 1 } }, regions: ['mars'] }));
    const config = sharedConfigFromEnv({ TICKETBOOTH_CONFIG: 'c.json' }, dir);
    expect(Object.keys(config.modes)).toEqual(['chess']);
    expect(config.regions).toEqual(['mars']);
  });

  it('reads CORS_ORIGINS as a list of origins, * by default, none for no CORS', () => {
    expect(sharedConfigFromEnv({}).corsOrigins).toEqual(['*']);
    expect(sharedConfigFromEnv({ CORS_ORIGINS: 'https://game.example.com/, http://127.0.0.1:5173' }).corsOrigins).toEqual(['https://game.example.com/', 'http://127.0.0.1:5173']);
    expect(sharedConfigFromEnv({ CORS_ORIGINS: 'none' }).corsOrigins).toEqual([]);
    expect(() => sharedConfigFromEnv({ CORS_ORIGINS: 'game.example.com' })).toThrow(/corsOrigins/);
  });

  it('fails fast, naming the problem', () => {
    expect(() => sharedConfigFromEnv({ RESUBMIT_INTERVAL_MS: 'soon' })).toThrow(/RESUBMIT_INTERVAL_MS/);
    expect(() => sharedConfigFromEnv({ REVOCATION_POLL_MS: '0' })).toThrow(/REVOCATION_POLL_MS: Too small/);
    expect(() => sharedConfigFromEnv({ TICKETBOOTH_CONFIG: '/nonexistent/c.json' })).toThrow(ConfigError);
    const dir = mkdtempSync(join(tmpdir(), 'tb-config-'));
    writeFileSync(join(dir, 'a.json'), '[1]');
    expect(() => sharedConfigFromEnv({ TICKETBOOTH_CONFIG: join(dir, 'a.json') })).toThrow(/JSON object/);
  });
});

describe('envInt', () => {
  it('takes decimal digits only, within bounds: one way for every variable of both services', () => {
    const port = envInt(0, 65_535);
    expect(port.parse('8700')).toBe(8700);
    expect(port.parse('0')).toBe(0);
    for (const bad of ['0x10', '1e3', '1.0', '-1', ' 5', '5 ', '+5', '', '65536', '9'.repeat(16)]) expect(port.safeParse(bad).success, bad).toBe(false);
  });
});
