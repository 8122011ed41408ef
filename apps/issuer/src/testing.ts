// An issuer on a temp SQLite file with a frozen clock and cheap hashing, for tests and benches.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CONFIG, parseSharedConfig, type SharedConfig, type sharedConfigSchema } from '@ticketbooth/config';
import type { Undocumented } from '@ticketbooth/http';
import { KeyRing, applyKeyFile, generateKeyFile } from '@ticketbooth/tickets';
import pg from 'pg';
import type { z } from 'zod';
import type { LoginLimits } from './attempt-limits.ts';
import { createApp } from './app.ts';
import type { MatchKeys } from './context.ts';
import { appSettingsSchema } from './config.ts';
import { createPasswordHasher, type Argon2Params } from './passwords.ts';
import { openSqliteStore } from './store/sqlite-store.ts';
import type { UserStore } from './store/user-store.ts';

/** A fixed epoch: time-dependent tests never depend on the wall clock. */
export const T0 = Date.parse('2030-01-01T00:00:00Z');
/** Far below OWASP cost, for tests only: same code path, milliseconds instead of ~50 ms. */
export const CHEAP_ARGON2ID: Argon2Params = { memoryCost: 256, timeCost: 1, parallelism: 1 };
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestIssuerOptions {
  readonly shared?: Partial<z.input<typeof sharedConfigSchema>>;
  readonly settings?: z.input<typeof appSettingsSchema>;
  readonly now?: () => number;
  readonly argon2?: Argon2Params;
  /** Another store (and the login limits beside it), e.g. PostgreSQL shared with a second issuer; closed by `close`. */
  readonly storage?: { readonly store: UserStore; readonly loginLimits?: LoginLimits };
  /** A ring loaded from a key file, e.g. one that replicas share; default a fresh key. */
  readonly keys?: KeyRing;
  /** The matchmakers' keys, for results. */
  readonly matchKeys?: MatchKeys;
  /** A response /openapi.json does not list; default: throw, so every route test checks the document too. */
  readonly onUndocumented?: (finding: Undocumented) => void;
}

export interface TestIssuer {
  readonly app: ReturnType<typeof createApp>;
  readonly store: UserStore;
  readonly keys: KeyRing;
  readonly shared: SharedConfig;
  /** The frozen clock; move it with `advance`. The login limits read the wall clock instead: tests freeze `Date` for them. */
  now(): number;
  advance(ms: number): void;
  close(): Promise<void>;
}

export function createTestIssuer(options: TestIssuerOptions = {}): TestIssuer {
  const dir = options.storage === undefined ? mkdtempSync(join(tmpdir(), 'issuer-app-')) : undefined;
  const store = options.storage?.store ?? openSqliteStore(join(dir!, 'issuer.db'));
  const keys = options.keys ?? new KeyRing();
  if (options.keys === undefined) applyKeyFile(keys, generateKeyFile(T0));
  let clock = T0;
  const now = options.now ?? (() => clock);
  const shared = parseSharedConfig({ ...DEMO_CONFIG, ...options.shared });
  const app = createApp({
    shared,
    settings: appSettingsSchema.parse({ adminToken: TEST_ADMIN_TOKEN, ...options.settings }),
    store,
    ...(options.storage?.loginLimits === undefined ? {} : { loginLimits: options.storage.loginLimits }),
    keys,
    passwords: createPasswordHasher(options.argon2 ?? CHEAP_ARGON2ID),
    now,
    randomId: randomUUID,
    ...(options.matchKeys === undefined ? {} : { matchKeys: options.matchKeys }),
    onUndocumented: options.onUndocumented ?? refuseUndocumented,
  });
  return {
    app,
    store,
    keys,
    shared,
    now,
    advance: (ms) => {
      clock += ms;
    },
    close: async () => {
      await store.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Fails the request with the finding: the route answered something its document does not list.
 * The test then sees a 500, and the issuer's log names the finding.
 */
export function refuseUndocumented({ method, path, status, code }: Undocumented): never {
  throw new Error(`${method.toUpperCase()} ${path} answered ${status}${code === undefined ? '' : ` ${code}`}, which /openapi.json does not list`);
}

export function jsonRequest(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Registers and logs in; returns the user id and a session token. */
export async function signUp(issuer: TestIssuer, username: string, password = 'correct horse battery'): Promise<{ id: string; token: string }> {
  const created = await issuer.app.request('/v1/accounts', jsonRequest('POST', { username, password }));
  if (created.status !== 201) throw new Error(`register ${username}: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const login = await issuer.app.request('/v1/sessions', jsonRequest('POST', { username, password }));
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  return { id, token };
}

/** The PostgreSQL the store tests use: TEST_DATABASE_URL, default the local trust-auth server. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Drops a test's own schema and everything in it. */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
