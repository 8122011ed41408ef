// The README's run command, smoke-tested: `pnpm start` brings both services up; SIGINT stops both.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@ticketbooth/tools';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from './support/cluster.ts';

describe('pnpm start', () => {
  const home = mkdtempSync(join(tmpdir(), 'ticketbooth-start-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('starts both services with embedded defaults and stops them on Ctrl-C', async () => {
    const [issuerPort, matchmakerPort] = [await freePort(), await freePort()];
    // pnpm sets npm_execpath for the scripts it runs; outside pnpm, fall back to PATH.
    const pnpm = process.env.npm_execpath?.includes('pnpm') ? [process.execPath, process.env.npm_execpath] : ['pnpm'];
    const child = spawn(pnpm[0]!, [...pnpm.slice(1), 'start'], {
      cwd: REPO_ROOT,
      env: { ...process.env, TICKETBOOTH_HOME: home, ISSUER_PORT: String(issuerPort), MATCHMAKER_PORT: String(matchmakerPort), ADMIN_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the test can press Ctrl-C the way a terminal does: to the whole group.
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      for (const port of [issuerPort, matchmakerPort]) {
        await waitFor(`:${port}/readyz`, async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined), 60_000, 200);
      }
      await waitFor('the banner', async () => (output.includes('Ctrl-C stops both') ? true : undefined), 10_000);
      for (const port of [issuerPort, matchmakerPort]) {
        expect(output).toContain(`http://127.0.0.1:${port}/dashboard`);
        expect(output).toContain(`http://127.0.0.1:${port}/docs`);
        // The demo is ready to look at: both pages answer, the figures behind the admin token.
        expect((await fetch(`http://127.0.0.1:${port}/docs`)).headers.get('content-type')).toContain('text/html');
        expect((await fetch(`http://127.0.0.1:${port}/dashboard`)).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${port}/dashboard/events`)).status).toBe(401);
      }
      expect(output).toMatch(/admin token \S{16,}/);
      // Dev state: SQLite file, generated keys (private, 0600) and the admin token.
      expect(statSync(join(home, 'issuer.db')).isFile()).toBe(true);
      expect(statSync(join(home, 'issuer-keys.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(home, 'admin-token')).mode & 0o777).toBe(0o600);
      const modes = (await (await fetch(`http://127.0.0.1:${issuerPort}/v1/modes`)).json()) as Record<string, unknown>;
      expect(JSON.stringify(modes)).toContain('squad');
      // The banner's simulator gives each player its own x-forwarded-for: on loopback the dev
      // issuer counts login attempts per that address, so a swarm is not cut at 60 a minute.
      const attempts = await Promise.all(
        Array.from({ length: 70 }, (_, i) =>
          fetch(`http://127.0.0.1:${issuerPort}/v1/sessions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.${i >> 8}.${i & 255}` },
            body: JSON.stringify({ username: `nobody-${i}`, password: 'not a real password' }),
          }).then((res) => res.status),
        ),
      );
      expect(attempts.filter((status) => status === 429)).toEqual([]);
      expect(new Set(attempts)).toEqual(new Set([401]));
    } finally {
      process.kill(-child.pid!, 'SIGINT');
    }
    // pnpm passes the interrupt on to its script and then re-raises it on itself.
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGINT').toBe(true);
    for (const port of [issuerPort, matchmakerPort]) {
      await waitFor(`:${port} closed`, () => fetch(`http://127.0.0.1:${port}/healthz`).then(() => undefined, () => true), 10_000);
    }
    expect(output).not.toMatch(/exited \(code [1-9]/);
  });
});
