// The generated configuration reference matches the schemas, and both services parse numbers alike.
import { readFileSync } from 'node:fs';
import { issuerEnvSchema } from '@ticketbooth/issuer/config';
import { matchmakerEnvSchema } from '@ticketbooth/matchmaker/config';
import { REPO_ROOT } from '@ticketbooth/tools';
import { describe, expect, it } from 'vitest';
import { configReference } from './config-reference.ts';

describe('configuration reference', () => {
  it.each(Object.entries(configReference()))('%s is what the schemas generate (run pnpm config-docs after changing them)', (path, text) => {
    expect(readFileSync(`${REPO_ROOT}${path}`, 'utf8')).toBe(text);
  });

  it('parses whole numbers one way in both services: the same hex or exponent is refused by each', () => {
    expect(issuerEnvSchema.safeParse({ ISSUER_PORT: '0x10' }).success).toBe(false);
    expect(matchmakerEnvSchema.safeParse({ MATCHMAKER_PORT: '0x10' }).success).toBe(false);
    expect(issuerEnvSchema.safeParse({ ISSUER_KEY_POLL_MS: '1e3' }).success).toBe(false);
    expect(matchmakerEnvSchema.safeParse({ MATCHMAKER_TICK_MS: '1e3' }).success).toBe(false);
    expect(issuerEnvSchema.parse({ ISSUER_PORT: '16' }).ISSUER_PORT).toBe(16);
    expect(matchmakerEnvSchema.parse({ MATCHMAKER_PORT: '16' }).MATCHMAKER_PORT).toBe(16);
  });

  it('gives an example config file both services start from', async () => {
    const { sharedConfigFromEnv } = await import('@ticketbooth/config');
    const config = sharedConfigFromEnv({ TICKETBOOTH_CONFIG: `${REPO_ROOT}examples/config.json` });
    expect(Object.keys(config.modes)).toEqual(['duel', 'squad']);
    expect(config.modes.squad?.maxWaitMs).toBe(300_000);
  });

  it('gives a complete example of the mode rules: latency, team size range, attributes', async () => {
    const { poolKeysOf, sharedConfigFromEnv, teamSizeOf } = await import('@ticketbooth/config');
    const config = sharedConfigFromEnv({ TICKETBOOTH_CONFIG: `${REPO_ROOT}examples/rules.json` });
    expect(poolKeysOf(config)).toEqual(['duel/eu', 'duel/na', 'duel/sa', 'duel/asia', 'squad', 'siege']);
    expect(teamSizeOf(config.modes.siege!)).toEqual({ min: 3, max: 5, shrinkAfterMs: 20_000 });
    expect(config.modes.squad?.attributes).toEqual({ equal: ['build'], intersect: ['crossplay'] });
  });
});
