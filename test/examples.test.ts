// The README's examples run as written, against both services as real processes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { createClient, type TicketGrant } from '@ticketbooth/client';
import { REPO_ROOT, startAllocator, type RunningAllocator } from '@ticketbooth/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayers, startCluster, waitFor, type Cluster, type TestPlayer } from './support/cluster.ts';

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

describe('examples/verify-assignment.mjs', () => {
  let allocator: RunningAllocator;
  let cluster: Cluster;
  beforeAll(async () => {
    allocator = await startAllocator();
    cluster = await startCluster({ resubmitMs: 300, warmupMs: 300, extraMatchmakerEnv: { ALLOCATOR_URL: allocator.url } });
  });
  afterAll(async () => {
    await cluster?.stop();
    await allocator?.close();
  });

  type Assigned = { match: { id: string; token: string }; assignment: { token: string; connect: string; details: { server: string } } };

  /** Two duel players queued by hand until their match is assigned a game server. */
  async function assignedPair(): Promise<{ players: TestPlayer[]; answers: Assigned[] }> {
    const players = await createPlayers(cluster, 2, 'duel');
    const grants: TicketGrant[] = await Promise.all(
      players.map((p) => createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }).requestTicket(p.session, { mode: 'duel', region: 'eu' })),
    );
    const answers = await Promise.all(
      grants.map((grant) =>
        waitFor('assigned', async () => {
          const response = await fetch(`${cluster.matchmaker.url}/v1/queue`, { method: 'POST', headers: { authorization: `Bearer ${grant.ticket}` } });
          const body = (await response.json()) as { status: string } & Assigned;
          return body.status === 'assigned' ? body : undefined;
        }, 15_000, 100),
      ),
    );
    return { players, answers };
  }

  const verify = (...args: string[]) =>
    run(process.execPath, ['examples/verify-assignment.mjs', ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', MATCHMAKER_URL: cluster.matchmaker.url }, timeout: 15_000 });

  it('is the code docs/game-servers.md prints', () => {
    const docs = readFileSync(`${REPO_ROOT}docs/game-servers.md`, 'utf8');
    const section = docs.slice(docs.indexOf('## Verifying an assignment token'));
    const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toContain('function admitAssigned(');
    expect(readFileSync(`${REPO_ROOT}examples/verify-assignment.mjs`, 'utf8')).toContain(block);
  });

  it('admits a member at the server the allocator gave the match, and refuses everything else', async () => {
    const { players, answers } = await assignedPair();
    const [ada, bob] = answers as [Assigned, Assigned];
    expect(ada.match.id).toBe(bob.match.id);
    expect(ada.assignment.connect).toBe(allocator.allocations.get(ada.match.id)!.connect);
    const server = ada.assignment.connect;

    const { stdout } = await verify(ada.match.token, ada.assignment.token, players[0]!.id, server);
    expect(stdout.trim()).toBe(`admitted ${players[0]!.id} to match ${ada.match.id} in duel/eu on ${server} (${ada.assignment.details.server})`);
    await expect(verify(bob.match.token, bob.assignment.token, players[1]!.id, server)).resolves.toMatchObject({ stdout: expect.stringContaining('admitted') });

    const refused = (reason: RegExp) => ({ code: 1, stderr: expect.stringMatching(reason) });
    await expect(verify(ada.match.token, ada.assignment.token, players[0]!.id, '127.0.0.1:1')).rejects.toMatchObject(refused(/refused: the match was sent to /));
    await expect(verify(ada.match.token, ada.assignment.token, 'somebody-else', server)).rejects.toMatchObject(refused(/refused: not a member/));
    // The match token where the assignment belongs: the implicit assertion differs.
    await expect(verify(ada.match.token, ada.match.token, players[0]!.id, server)).rejects.toMatchObject(refused(/refused: wrong_purpose/));
    const [head, body, footer] = [ada.assignment.token.split('.').slice(0, 2).join('.'), ada.assignment.token.split('.')[2]!, ada.assignment.token.split('.')[3]!];
    const forged = `${head}.${body.slice(0, -2)}${body.at(-2) === 'A' ? 'B' : 'A'}${body.at(-1)}.${footer}`;
    await expect(verify(ada.match.token, forged, players[0]!.id, server)).rejects.toMatchObject(refused(/refused: bad_signature/));

    // Another match's assignment, valid on its own, proves nothing about this one.
    const other = await assignedPair();
    await expect(verify(ada.match.token, other.answers[0]!.assignment.token, players[0]!.id, other.answers[0]!.assignment.connect)).rejects.toMatchObject(
      refused(/refused: the assignment is for another match/),
    );
  });
});

describe('examples/report-result.mjs', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ resubmitMs: 300, warmupMs: 300 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('is the code docs/game-servers.md prints', () => {
    const docs = readFileSync(`${REPO_ROOT}docs/game-servers.md`, 'utf8');
    const block = /```js\n([\s\S]*?)```/.exec(docs.slice(docs.indexOf('## Reporting a result')))?.[1];
    expect(block).toContain('async function reportResult(');
    expect(readFileSync(`${REPO_ROOT}examples/report-result.mjs`, 'utf8')).toContain(block);
  });

  it('records a match once with the credential an operator registered; the same report again is fine, another outcome is refused', async () => {
    const players = await createPlayers(cluster, 2, 'duel');
    const [match] = await Promise.all(players.map((p) => createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }).queue(p.session, { mode: 'duel', region: 'eu' })));
    const registered = await fetch(`${cluster.issuer.url}/v1/admin/game-servers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `example-${match!.id.slice(0, 8)}` }),
    });
    const { secret } = (await registered.json()) as { secret: string };
    const report = (...ranks: string[]) =>
      run(process.execPath, ['examples/report-result.mjs', match!.token, ...ranks], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', ISSUER_URL: cluster.issuer.url, GAME_SERVER_CREDENTIAL: secret },
        timeout: 15_000,
      });
    const first = await report('1', '2');
    expect(first.stdout).toMatch(new RegExp(`^result of match ${match!.id} \\(duel\\) recorded at \\S+: ranks 1, 2\\n$`));
    expect((await report('1', '2')).stdout).toBe(first.stdout);
    await expect(report('2', '1')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('result refused (409 result-conflict)') });
  });
});
