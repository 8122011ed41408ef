// Real processes: queue players, SIGKILL the matchmaker, restart it on the same port,
// resubmit, and check the pool is rebuilt and matched after warm-up, nobody twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createVerifier,
  generateKeyFile,
  keyRingFromFile,
  publicKeySet,
  publicKeySetSchema,
  signToken,
  toPasetoDate,
} from '@ticketbooth/tickets';
import { builtFile, freePort } from '@ticketbooth/tools';
import { afterAll, describe, expect, it } from 'vitest';

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESUBMIT_MS = 300;
const WARMUP_MS = 1_500;
const PLAYERS = 20;
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});


/** Starts the matchmaker as `pnpm start` would; resolves once it prints its listening line. */
function startMatchmaker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [builtFile('matchmaker', 'main.js')], {
    cwd: APP_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`matchmaker did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ticketbooth-matchmaker listening on')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`matchmaker exited (${code ?? signal}):\n${output}`));
    });
  });
}

function killAndWait(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    child.once('exit', (_code, signal) => resolve(signal));
    process.kill(child.pid!, 'SIGKILL');
  });
}

/** One request on a fresh connection: no keep-alive socket survives the crash. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are asserted field by field
function call(port: number, method: string, path: string, token?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('matchmaker crash and rebuild', () => {
  it('rebuilds the pool from resubmitted tickets and matches everyone exactly once after warm-up', { timeout: 60_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'mm-crash-'));
    const issuerFile = generateKeyFile(Date.now());
    const issuer = keyRingFromFile(issuerFile).signingKey();
    const publicKeysPath = join(home, 'issuer-public-keys.json');
    writeFileSync(publicKeysPath, JSON.stringify(publicKeySet(keyRingFromFile(issuerFile))));
    const port = await freePort();
    const env = {
      TICKETBOOTH_HOME: home,
      // The first start makes the key file; the restart reads it (its matches must still verify).
      MATCHMAKER_DEV_KEYS: '1',
      MATCHMAKER_PORT: String(port),
      MATCHMAKER_POOLS: 'duel/eu',
      RESUBMIT_INTERVAL_MS: String(RESUBMIT_MS),
      WARMUP_MS: String(WARMUP_MS),
      MATCHMAKER_TICK_MS: '50',
      ISSUER_PUBLIC_KEY_FILE: publicKeysPath,
    };

    const started = Date.now();
    const tickets = Array.from({ length: PLAYERS }, (_, i) =>
      signToken(issuer, 'ticket', {
        iss: 'ticketbooth-issuer',
        sub: `player-${i}`,
        aud: 'ticketbooth-matchmaker',
        iat: toPasetoDate(started),
        exp: toPasetoDate(started + 120_000),
        jti: `crash-${i}`,
        pool: { mode: 'duel', region: 'eu' },
        rating: 1500 + i * 5,
        queuedAt: toPasetoDate(started - 30_000),
      }),
    );

    const first = await startMatchmaker(env);
    for (const ticket of tickets) expect((await call(port, 'POST', '/v1/queue', ticket)).body.status).toBe('searching');
    const before = (await call(port, 'GET', '/v1/pools')).body;
    expect(before.pools[0]).toMatchObject({ pool: 'duel/eu', players: PLAYERS, matchesFormed: 0 });
    expect(before.warmingUp).toBe(true);
    expect(await killAndWait(first)).toBe('SIGKILL');
    await expect(call(port, 'GET', '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await startMatchmaker(env);
    const restartedAt = Date.now();
    const matchOf = new Map<string, { id: string; teams: { sub: string }[][]; token: string }>();
    let sawRebuiltPoolWhileWarming = false;
    while (matchOf.size < PLAYERS && Date.now() - restartedAt < 20_000) {
      for (const [i, ticket] of tickets.entries()) {
        if (matchOf.has(`player-${i}`)) continue; // a matched client stops resubmitting
        const res = await call(port, 'POST', '/v1/queue', ticket);
        expect(res.status).toBe(200);
        if (res.body.status === 'ready') matchOf.set(`player-${i}`, res.body.match);
      }
      // Asked after those answers: a process still warming up has formed no match and answered none.
      const pools = (await call(port, 'GET', '/v1/pools')).body;
      if (pools.warmingUp) {
        expect(pools.pools[0].matchesFormed).toBe(0);
        expect(matchOf.size).toBe(0);
        if (pools.pools[0].players === PLAYERS) sawRebuiltPoolWhileWarming = true;
      }
      await new Promise((resolve) => setTimeout(resolve, RESUBMIT_MS));
    }

    expect(sawRebuiltPoolWhileWarming).toBe(true);
    expect(matchOf.size).toBe(PLAYERS);
    const matches = new Map([...matchOf.values()].map((m) => [m.id, m]));
    expect(matches.size).toBe(PLAYERS / 2);
    const inMatches = [...matches.values()].flatMap((m) => m.teams.flat().map((p) => p.sub));
    expect(new Set(inMatches).size).toBe(inMatches.length);
    expect(inMatches.sort()).toEqual([...matchOf.keys()].sort());
    for (const [sub, match] of matchOf) expect(match.teams.flat().map((p) => p.sub)).toContain(sub);

    const keys = publicKeySetSchema.parse((await call(port, 'GET', '/v1/keys')).body);
    const verifier = createVerifier({
      keys: keyRingFromFile(keys),
      purpose: 'match',
      issuer: 'ticketbooth-matchmaker',
      audience: 'ticketbooth-game-server',
      maxLifetimeMs: 600_000,
    });
    for (const match of matches.values()) expect(verifier.verify(match.token).claims.sub).toBe(match.id);
  });
});
