// The README's examples run as written, against both services as real processes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createClient } from '@ticketbooth/client';
import { REPO_ROOT } from '@ticketbooth/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, startCluster, type Cluster } from './support/cluster.ts';

const run = promisify(execFile);

describe('examples/', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ resubmitMs: 300, warmupMs: 300 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('login-to-match.mjs: two players register, log in, queue and land in one match', async () => {
    const { stdout } = await run(process.execPath, ['examples/login-to-match.mjs'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ISSUER_URL: cluster.issuer.url },
      timeout: 30_000,
    });
    expect(stdout).toMatch(/^ada-[0-9a-f]{8}: ready in match \S+$/m);
    expect(stdout).toMatch(/^bob-[0-9a-f]{8}: ready in match \S+$/m);
    expect(stdout).toMatch(/^matched: \S+ vs \S+$/m);
  });

  it('verify-match.mjs: a game server accepts a real match token with the published keys, and refuses a forged one', async () => {
    const players = await createPlayers(cluster, 2, 'duel');
    const [match] = await Promise.all(players.map((p) => createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }).queue(p.session, { mode: 'duel', region: 'eu' })));
    const verify = (token: string) =>
      run(process.execPath, ['examples/verify-match.mjs', token], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', MATCHMAKER_URL: cluster.matchmaker.url }, timeout: 15_000 });
    const { stdout } = await verify(match!.token);
    expect(stdout).toContain(`match ${match!.id} in duel/eu: `);
    const [head, body, footer] = [match!.token.split('.').slice(0, 2).join('.'), match!.token.split('.')[2]!, match!.token.split('.')[3]!];
    const forged = `${head}.${body.slice(0, -2)}${body.at(-2) === 'A' ? 'B' : 'A'}${body.at(-1)}.${footer}`;
    await expect(verify(forged)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/bad_signature|signature/) });
  });
});
