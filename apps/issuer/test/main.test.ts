// The real process: main.ts serves on a free port, keys rotate under it, SIGTERM stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createVerifier, keyRingFromFile, publicKeySetSchema } from '@ticketbooth/tickets';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.ts';
import { loadIssuerConfig } from '../src/config.ts';
import { openStore } from '../src/open-store.ts';
import { createPasswordHasher } from '../src/passwords.ts';
import { CHEAP_ARGON2ID } from '../src/testing.ts';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
// The built service, as it ships (`pnpm build`; `pnpm test` builds first).
const BUILT_MAIN = join(APP_DIR, 'dist', 'main.js');
if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run pnpm build first`);
const home = mkdtempSync(join(tmpdir(), 'issuer-main-'));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

function startIssuer(env: Record<string, string>): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, [BUILT_MAIN], {
    cwd: APP_DIR,
    // A throwaway dev state: the first start makes the key file the later ones read.
    env: { PATH: process.env.PATH ?? '', TICKETBOOTH_HOME: home, PORT: '0', ISSUER_DEV_KEYS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ticketbooth-issuer listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`issuer exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

async function post(url: string, body: unknown, token?: string) {
  return fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}

async function fetchKeys(base: string) {
  return keyRingFromFile(publicKeySetSchema.parse(await (await fetch(`${base}/v1/keys`)).json()));
}

function ticketVerifier(keys: Awaited<ReturnType<typeof fetchKeys>>) {
  return createVerifier({ keys, purpose: 'ticket', issuer: 'ticketbooth-issuer', audience: 'ticketbooth-matchmaker', maxLifetimeMs: 600_000 });
}

describe('issuer process', () => {
  it('serves login and tickets, reloads rotated keys while running, stops on SIGTERM', async () => {
    const issuer = startIssuer({ ISSUER_KEY_POLL_MS: '100' });
    const base = await issuer.url;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect((await post(`${base}/v1/accounts`, { username: 'alice', password: 'correct horse' })).status).toBe(201);
    const { token } = (await (await post(`${base}/v1/sessions`, { username: 'alice', password: 'correct horse' })).json()) as { token: string };
    const first = (await (await post(`${base}/v1/tickets`, { mode: 'duel', region: 'eu' }, token)).json()) as { ticket: string };
    const before = ticketVerifier(await fetchKeys(base)).verify(first.ticket);

    const config = loadIssuerConfig({ TICKETBOOTH_HOME: home });
    const io = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => '' };
    const deps = { ...io, config, now: Date.now, openStore: () => openStore(config.database), passwords: createPasswordHasher(CHEAP_ARGON2ID) };
    expect(await runCli(['keys', 'rotate'], deps)).toBe(0);
    expect(await runCli(['keys', 'activate'], deps)).toBe(0);

    let second: { ticket: string } | undefined;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      second = (await (await post(`${base}/v1/tickets`, { mode: 'duel', region: 'eu' }, token)).json()) as { ticket: string };
      if (ticketVerifier(await fetchKeys(base)).verify(second.ticket).kid !== before.kid) break;
    }
    const keys = await fetchKeys(base);
    expect(keys.list()).toHaveLength(2);
    const verifier = ticketVerifier(keys);
    expect(verifier.verify(second!.ticket).kid).not.toBe(before.kid);
    // Tickets and sessions signed before the switch still verify.
    expect(verifier.verify(first.ticket).kid).toBe(before.kid);

    const code = exited(issuer.child);
    issuer.child.kill('SIGTERM');
    expect(await code).toBe(0);
  });

  it('uses PostgreSQL when DATABASE_URL is set, and two issuers on it share the login limits', async () => {
    const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `issuer_main_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
      const separator = url.includes('?') ? '&' : '?';
      const env = { DATABASE_URL: `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}` };
      const [issuer, sibling] = [startIssuer(env), startIssuer(env)];
      const [base, siblingBase] = [await issuer.url, await sibling.url];
      expect((await post(`${base}/v1/accounts`, { username: 'pgplayer', password: 'correct horse' })).status).toBe(201);
      const login = await post(`${base}/v1/sessions`, { username: 'PGPlayer', password: 'correct horse' });
      const { token } = (await login.json()) as { token: string };
      expect((await post(`${base}/v1/tickets`, { mode: 'squad', region: 'na' }, token)).status).toBe(200);
      const { rows } = await admin.query(`SELECT username FROM ${schema}.users`);
      expect(rows).toEqual([{ username: 'pgplayer' }]);

      // 10 attempts per username in 5 minutes, counted in the database: 1 above, 9 here over both.
      for (let i = 0; i < 9; i++) {
        const res = await post(`${i % 2 === 0 ? siblingBase : base}/v1/sessions`, { username: 'pgplayer', password: 'wrong horse' });
        expect(res.status).toBe(401);
      }
      for (const at of [siblingBase, base]) {
        const refused = await post(`${at}/v1/sessions`, { username: 'pgplayer', password: 'correct horse' });
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      }

      for (const child of [issuer.child, sibling.child]) {
        const code = exited(child);
        child.kill('SIGTERM');
        expect(await code).toBe(0);
      }
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });

  it('logs JSON lines with the request id, method, path, status and duration; stops on SIGTERM with 0', async () => {
    const issuer = startIssuer({});
    const base = await issuer.url;
    const res = await fetch(`${base}/v1/modes`, { headers: { 'x-request-id': 'trace-me-42' } });
    expect(res.headers.get('x-request-id')).toBe('trace-me-42');
    // What machines poll is counted, not logged: a matchmaker fetches revocations every 2 s.
    for (const path of ['/v1/revocations', '/v1/keys', '/readyz']) await (await fetch(`${base}${path}`)).arrayBuffer();
    const fresh = await fetch(`${base}/nope`);
    const freshId = fresh.headers.get('x-request-id');
    expect(freshId).toMatch(/^[0-9a-f-]{36}$/);
    const code = exited(issuer.child);
    issuer.child.kill('SIGTERM');
    expect(await code).toBe(0);
    const lines = issuer
      .output()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const line of lines) expect(line).toMatchObject({ service: 'ticketbooth-issuer', level: expect.any(String), time: expect.any(String) });
    expect(lines).toContainEqual(expect.objectContaining({ reqId: 'trace-me-42', method: 'GET', path: '/v1/modes', status: 200, ms: expect.any(Number) }));
    expect(lines).toContainEqual(expect.objectContaining({ reqId: freshId, path: '/nope', status: 404 }));
    expect(lines.filter((line) => ['/v1/revocations', '/v1/keys', '/readyz'].includes(line.path as string))).toEqual([]);
    expect(lines.map((line) => line.msg).slice(-2)).toEqual(['stopping', 'stopped']);
  });

  it('refuses to start without its key file unless asked for dev keys, instead of making a key nobody trusts', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'issuer-prod-'));
    try {
      for (const env of [{ NODE_ENV: 'production' }, { NODE_ENV: 'development' }, {}] as Record<string, string>[]) {
        const issuer = startIssuer({ ...env, ISSUER_DEV_KEYS: '', TICKETBOOTH_HOME: empty });
        expect(await exited(issuer.child)).toBe(1);
        // Said to the person starting it, in plain lines: what is missing and how to make it.
        expect(issuer.output()).toMatch(/^no signing key file at \S+issuer-keys\.json \(ISSUER_KEY_FILE\)\./);
        expect(issuer.output()).toContain('node apps/issuer/dist/cli.js keys list');
        expect(existsSync(join(empty, 'issuer-keys.json'))).toBe(false);
        await issuer.url.catch(() => undefined);
      }
      const production = startIssuer({ NODE_ENV: 'production', ISSUER_DEV_KEYS: '1', TICKETBOOTH_HOME: empty });
      expect(await exited(production.child)).toBe(1);
      expect(production.output()).toContain('ISSUER_DEV_KEYS: 1 is for development, not with NODE_ENV=production');
      expect(existsSync(join(empty, 'issuer-keys.json'))).toBe(false);
      await production.url.catch(() => undefined);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('stops cleanly on Ctrl-C reaching it and its supervisor alike (SIGINT, then SIGTERM at once)', async () => {
    const issuer = startIssuer({ LOG_LEVEL: '' });
    await issuer.url;
    const code = exited(issuer.child);
    issuer.child.kill('SIGINT');
    issuer.child.kill('SIGTERM');
    expect(await code).toBe(0);
    expect(issuer.output()).not.toContain('second signal');
  });

  it('refuses a LOG_LEVEL that names no level with a readable message, not a stack trace', async () => {
    const issuer = startIssuer({ LOG_LEVEL: 'verbose' });
    expect(await exited(issuer.child)).toBe(1);
    expect(issuer.output()).toMatch(/invalid config \(environment\):\n {2}- LOG_LEVEL: /);
    await issuer.url.catch(() => undefined);
  });

  it('exits 1 with a readable message on bad config', async () => {
    const issuer = startIssuer({ PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    const code = await exited(issuer.child);
    expect(code).toBe(1);
    expect(issuer.output()).toMatch(/invalid config \(environment\):\n {2}- PORT: expected a whole number \(decimal digits\)\n {2}- DATABASE_URL: expected a postgres:\/\/ URL/);
    await issuer.url.catch(() => undefined);
  });
});
