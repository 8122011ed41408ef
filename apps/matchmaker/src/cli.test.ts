import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKeyFile } from '@ticketbooth/tickets';
import { afterAll, describe, expect, it } from 'vitest';
import { T0 } from '../test/support.ts';
import { runCli } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'mm-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli() {
  let clock = T0;
  const out: string[] = [];
  const err: string[] = [];
  const config = { keyFile: join(dir, `${Math.random().toString(36).slice(2)}.json`), matchTokenTtlMs: 600_000, shared: { resultWindowMs: 6 * 3_600_000 } };
  const deps = { config, now: () => clock, stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) };
  return {
    run: (...argv: string[]) => runCli(argv, deps),
    out: () => out.join(''),
    err: () => err.join(''),
    advance: (ms: number) => (clock += ms),
    path: config.keyFile,
  };
}

describe('matchmaker CLI', () => {
  it('rotates the match-signing key in two steps, retiring the old one once no token it signed can still be named (its lifetime, or the result window)', () => {
    const c = cli();
    expect(c.run('keys', 'list')).toBe(0);
    const first = readKeyFile(c.path).active!;
    expect(c.out()).toContain(`${first}  active`);
    expect(c.run('keys', 'activate')).toBe(1);
    expect(c.err()).toMatch(/keys rotate/);
    expect(c.run('keys', 'rotate')).toBe(0);
    expect(readKeyFile(c.path).active).toBe(first);
    expect(readKeyFile(c.path).keys).toHaveLength(2);
    c.advance(60_000);
    expect(c.run('keys', 'activate')).toBe(0);
    const after = readKeyFile(c.path);
    expect(after.active).not.toBe(first);
    const old = after.keys.find((k) => k.kid === first)!;
    expect(old.secret).toBeUndefined();
    // Match tokens live 10 min here, plus a minute of leeway.
    // Retired after the longest a match token is named: its lifetime (10 min) or a result's window (6 h), plus a minute.
    expect(old.notAfter).toBe(new Date(T0 + 60_000 + 6 * 3_600_000 + 60_000).toISOString());
    expect(c.run('keys', 'remove', after.active!)).toBe(1);
    expect(c.run('keys', 'remove', first)).toBe(0);
    expect(readKeyFile(c.path).keys.map((k) => k.kid)).toEqual([after.active]);
  });

  it('prints usage, and refuses unknown commands with status 2', () => {
    const c = cli();
    expect(c.run()).toBe(0);
    expect(c.out()).toMatch(/^Usage: pnpm --filter @ticketbooth\/matchmaker cli/);
    expect(c.run('keys', 'delete')).toBe(2);
    expect(c.run('pools')).toBe(2);
    expect(c.run('keys', 'remove')).toBe(2);
    expect(c.err()).toMatch(/unknown command "keys delete"/);
  });
});
