// The shared part of both services' environment: the config file and the overrides every service honours.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, DEMO_CONFIG, parseSharedConfig, parseWith, type SharedConfig } from './config.ts';

const wholeNumber = z.string().regex(/^\d+$/, 'expected a whole number').transform(Number);

const sharedEnvSchema = z.object({
  TICKETBOOTH_CONFIG: z.string().min(1).optional(),
  RESUBMIT_INTERVAL_MS: wholeNumber.optional(),
  TICKET_TTL_MS: wholeNumber.optional(),
  SESSION_TTL_MS: wholeNumber.optional(),
  REVOCATION_POLL_MS: wholeNumber.optional(),
  MATCHMAKER_URL: z.string().min(1).optional(),
});

export type Env = Readonly<Record<string, string | undefined>>;

/** An empty variable means "not set", as a shell's `FOO= cmd` intends. */
export function withoutEmpty(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

function readJsonObject(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * The shared config both services must agree on: the file `TICKETBOOTH_CONFIG`
 * names (else the demo setup), with `RESUBMIT_INTERVAL_MS`, `TICKET_TTL_MS`,
 * `SESSION_TTL_MS`, `REVOCATION_POLL_MS` and `MATCHMAKER_URL` (the shard map's default) applied on top.
 * Both services call this with the same environment, so they cannot disagree.
 */
export function sharedConfigFromEnv(source: Env, cwd = process.cwd()): SharedConfig {
  const env = parseWith(sharedEnvSchema, withoutEmpty(source), 'environment');
  const path = env.TICKETBOOTH_CONFIG === undefined ? undefined : resolve(cwd, env.TICKETBOOTH_CONFIG);
  const raw = path === undefined ? (structuredClone(DEMO_CONFIG) as Record<string, unknown>) : readJsonObject(path);
  const matchmakers =
    env.MATCHMAKER_URL === undefined ? raw.matchmakers : { ...(raw.matchmakers as object | undefined), default: env.MATCHMAKER_URL };
  return parseSharedConfig(
    {
      ...raw,
      ...(env.RESUBMIT_INTERVAL_MS === undefined ? {} : { resubmitIntervalMs: env.RESUBMIT_INTERVAL_MS }),
      ...(env.TICKET_TTL_MS === undefined ? {} : { ticketTtlMs: env.TICKET_TTL_MS }),
      ...(env.SESSION_TTL_MS === undefined ? {} : { sessionTtlMs: env.SESSION_TTL_MS }),
      ...(env.REVOCATION_POLL_MS === undefined ? {} : { revocationPollMs: env.REVOCATION_POLL_MS }),
      ...(matchmakers === undefined ? {} : { matchmakers }),
    },
    path === undefined ? 'DEMO_CONFIG + environment' : `${path} + environment`,
  );
}
