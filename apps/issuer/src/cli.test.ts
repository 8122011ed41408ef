import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKeyFile } from '@ticketbooth/tickets';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliDeps } from './cli.ts';
import { loadIssuerConfig } from './config.ts';
import { openStore } from './open-store.ts';
import { createPasswordHasher } from './passwords.ts';
import { secretDigest } from './results.ts';
import { CHEAP_ARGON2ID, T0 } from './testing.ts';

const home = mkdtempSync(join(tmpdir(), 'issuer-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function cli(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  let clock = T0;
  const deps: CliDeps = {
    config: loadIssuerConfig({ TICKETBOOTH_HOME: home }),
    now: () => clock,
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readStdin: async () => stdin,
    openStore: (c) => openStore(c.database),
    passwords: createPasswordHasher(CHEAP_ARGON2ID),
  };
  return {
    run: (...argv: string[]) => runCli(argv, deps),
    out: () => out.join(''),
    err: () => err.join(''),
    advance: (ms: number) => {
      clock += ms;
    },
    deps,
  };
}

describe('issuer CLI', () => {
  it('rotates keys in two steps', async () => {
    const c = cli();
    expect(await c.run('keys', 'list')).toBe(0);
    const path = c.deps.config.keyFile;
    const first = readKeyFile(path).active;
    expect(await c.run('keys', 'activate')).toBe(1);
    expect(c.err()).toMatch(/keys rotate/);
    expect(await c.run('keys', 'rotate')).toBe(0);
    expect(readKeyFile(path).active).toBe(first);
    expect(readKeyFile(path).keys).toHaveLength(2);
    c.advance(60_000);
    expect(await c.run('keys', 'activate')).toBe(0);
    const after = readKeyFile(path);
    expect(after.active).not.toBe(first);
    const old = after.keys.find((k) => k.kid === first)!;
    expect(old.secret).toBeUndefined();
    // Retired after the longest token lifetime (sessions: 1 h) plus a minute of leeway.
    expect(old.notAfter).toBe(new Date(T0 + 60_000 + 3_600_000 + 60_000).toISOString());
    // After a compromise the old key goes at once; the signing key never does.
    expect(await c.run('keys', 'remove')).toBe(2);
    expect(await c.run('keys', 'remove', after.active!)).toBe(1);
    expect(await c.run('keys', 'remove', first!)).toBe(0);
    expect(readKeyFile(path).keys.map((k) => k.kid)).toEqual([after.active]);
  });

  it('creates, bans, unbans users and sets ratings', async () => {
    const c = cli('typed password\n');
    expect(await c.run('users', 'create', 'Carol', '--password-stdin')).toBe(0);
    expect(await c.run('users', 'create', 'dave')).toBe(0);
    expect(c.out()).toMatch(/created dave [0-9a-f-]{36}\npassword: \S{24}\n/);
    expect(await c.run('users', 'create', 'CAROL')).toBe(1);
    expect(c.err()).toMatch(/taken/);
    expect(await c.run('users', 'ban', 'carol', '--reason', 'smurfing')).toBe(0);
    expect(await c.run('ratings', 'set', 'carol', 'duel', '1712')).toBe(0);
    expect(await c.run('ratings', 'set', 'carol', 'chess', '1712')).toBe(1);

    const store = await openStore(c.deps.config.database);
    try {
      const carol = (await store.findUserByUsername('carol'))!;
      expect(carol).toMatchObject({ banned: true, banReason: 'smurfing', sessionEpoch: 1 });
      expect(await c.deps.passwords.verify(carol.passwordHash, 'typed password')).toBe(true);
      expect(await store.getRating(carol.id, 'duel')).toBe(1712);
      expect(await c.run('users', 'unban', carol.id)).toBe(0);
      expect((await store.findUserById(carol.id))?.banned).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('registers, lists and revokes game servers; the credential works once registered and not once revoked', async () => {
    const c = cli();
    expect(await c.run('game-servers', 'add', 'eu-gs-7')).toBe(0);
    const [, id, secret] = /^registered eu-gs-7 (\S+)\ncredential \(shown once\): (tbgs_\S+)\n$/.exec(c.out()) ?? [];
    expect(secret).toBeDefined();
    expect(await c.run('game-servers', 'add', 'eu-gs-7')).toBe(1);
    expect(c.err()).toMatch(/taken/);
    expect(await c.run('game-servers', 'add', 'no spaces')).toBe(2);
    expect(await c.run('game-servers', 'list')).toBe(0);
    expect(c.out()).toContain(`eu-gs-7\t${id}\tcreated ${new Date(T0).toISOString()}\trevoked -\n`);
    expect(c.out().split(secret!)).toHaveLength(2);
    const store = await openStore(c.deps.config.database);
    try {
      expect(await store.gameServerBySecret(secretDigest(secret!))).toMatchObject({ id, revokedAt: null });
      expect(await c.run('game-servers', 'revoke', 'eu-gs-7')).toBe(0);
      expect(await store.gameServerBySecret(secretDigest(secret!))).toMatchObject({ id, revokedAt: T0 });
      expect(await c.run('game-servers', 'revoke', 'nobody')).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('answers usage errors with exit 2', async () => {
    const c = cli();
    expect(await c.run('frobnicate')).toBe(2);
    expect(await c.run('users', 'ban', 'x')).toBe(2);
    expect(await c.run('users', 'create', 'no spaces allowed')).toBe(2);
    expect(c.err()).toContain('Usage:');
  });
});
