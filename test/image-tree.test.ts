// The container image's build steps (deploy/build-tree.sh, which the Dockerfile runs) in a
// clean clone: the tree they produce runs both services with production dependencies only,
// under NODE_ENV=production, through the image's entrypoint and health check.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, freePort } from '@ticketbooth/tools';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'ticketbooth-image-'));
const app = join(work, 'app');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** The image's entrypoint with `args`, as `docker run <image> <args>` would call it. */
function entrypoint(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn('sh', [join(app, 'entrypoint.sh'), ...args], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (found) resolve(found[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

const exitCode = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

async function healthcheck(env: Record<string, string>): Promise<number> {
  try {
    await run(process.execPath, [join(app, 'healthcheck.mjs')], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 10_000 });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

/**
 * The build's environment: native modules compiled for the Node running this test, against its
 * own headers (an npm `nodedir` set for another Node would give the wrong ABI), and not taken
 * from pnpm's cache of builds, which a build for another Node on this machine may have filled.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const prefix = dirname(dirname(process.execPath));
  const headers = existsSync(join(prefix, 'include', 'node', 'node.h')) ? { npm_config_nodedir: prefix } : {};
  return { ...process.env, CI: 'true', npm_config_side_effects_cache: 'false', ...headers };
}

async function post(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
}

describe('the container image tree (deploy/build-tree.sh in a clean clone)', () => {
  it('builds services that run on plain node with production dependencies only', { timeout: 900_000 }, async () => {
    await run('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, join(work, 'repo')]);
    await run('sh', ['deploy/build-tree.sh', app], { cwd: join(work, 'repo'), timeout: 840_000, maxBuffer: 64 << 20, env: buildEnv() });

    for (const service of ['issuer', 'matchmaker']) {
      expect(existsSync(join(app, service, 'dist', 'main.js'))).toBe(true);
      expect(existsSync(join(app, service, 'src'))).toBe(false);
      const installed = readdirSync(join(app, service, 'node_modules', '.pnpm'));
      for (const devTool of ['tsx@', 'vitest@', 'typescript@', 'autocannon@']) expect(installed.filter((name) => name.startsWith(devTool))).toEqual([]);
    }

    const [issuerPort, matchmakerPort] = [await freePort(), await freePort()];
    const shared = { MATCHMAKER_URL: `http://127.0.0.1:${matchmakerPort}` };
    const issuerHome = join(work, 'issuer-state');
    const matchmakerHome = join(work, 'matchmaker-state');
    // Production keys are made once by the CLI, never by the service.
    expect(await exitCode(entrypoint(['issuer-cli', 'keys', 'list'], { ...shared, TICKETBOOTH_HOME: issuerHome }))).toBe(0);
    const matchmakerEnv = { ...shared, TICKETBOOTH_HOME: matchmakerHome, MATCHMAKER_PORT: String(matchmakerPort) };
    expect(await exitCode(entrypoint(['matchmaker-cli', 'keys', 'list'], { TICKETBOOTH_HOME: matchmakerHome }))).toBe(0);

    const issuer = entrypoint(['issuer'], { ...shared, TICKETBOOTH_HOME: issuerHome, ISSUER_PORT: String(issuerPort) });
    const issuerUrl = await listening(issuer);
    const matchmaker = entrypoint(['matchmaker'], { ...matchmakerEnv, ISSUER_URL: issuerUrl });
    const matchmakerUrl = await listening(matchmaker);

    expect(await healthcheck({ ISSUER_PORT: String(issuerPort) })).toBe(0);
    let healthy = 1;
    for (let i = 0; i < 50 && healthy !== 0; i++) {
      healthy = await healthcheck({ MATCHMAKER_PORT: String(matchmakerPort) });
      if (healthy !== 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(healthy).toBe(0);
    // Told a port nothing listens on, it fails (it does not fall back to another port).
    expect(await healthcheck({ PORT: String(await freePort()) })).not.toBe(0);

    // SQLite (a native module) and the whole ticket path work from the deployed tree.
    expect((await post(`${issuerUrl}/v1/accounts`, { username: 'imaged', password: 'correct horse battery' })).status).toBe(201);
    const { token } = (await (await post(`${issuerUrl}/v1/sessions`, { username: 'imaged', password: 'correct horse battery' })).json()) as { token: string };
    const grant = (await (await post(`${issuerUrl}/v1/tickets`, { mode: 'duel', region: 'eu' }, token)).json()) as { ticket: string; matchmakerUrl: string };
    expect(grant.matchmakerUrl).toBe(matchmakerUrl);
    const queued = await fetch(`${matchmakerUrl}/v1/queue`, { method: 'POST', headers: { authorization: `Bearer ${grant.ticket}` } });
    expect(((await queued.json()) as { status: string }).status).toBe('searching');
    // The pages for people ship too: the dashboard's files and the reference's bundle (copied at build).
    for (const url of [issuerUrl, matchmakerUrl]) {
      expect((await fetch(`${url}/dashboard/page.js`)).status).toBe(200);
      const reference = await fetch(`${url}/docs/reference.js`);
      expect(reference.status).toBe(200);
      expect((await reference.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
    }

    for (const child of [issuer, matchmaker]) {
      const code = exitCode(child);
      child.kill('SIGTERM');
      expect(await code).toBe(0);
    }
  });
});
