// Ticket issuance throughput over HTTP next to the raw Ed25519 signing ceiling, in one run.
// Usage: pnpm --filter @ticketbooth/issuer bench [--duration 12] [--connections 32] [--json <file>]
//
// The issuer runs as its own process (src/main.ts) on a free 127.0.0.1 port with a
// temp SQLite file and OWASP argon2id; sessions are created before the load starts,
// so the measured path is: session verify (cached) + store read (epoch, ban, rating)
// + ticket sign + JSON. Stops by itself; ends only the process it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { sign as ed25519Sign } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createSigningKey, generateSeed, signToken, toPasetoDate, type TicketClaims } from '@ticketbooth/tickets';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
// The built service, as it ships (`pnpm build`; `pnpm test` builds first).
const BUILT_MAIN = join(APP_DIR, 'dist', 'main.js');
if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run pnpm build first`);
const USERS = 64;
const SIGN_SECONDS = 1;
const ROUNDS = 3;

function options() {
  // `pnpm bench -- --json x` forwards the `--` too.
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({
    args,
    options: { duration: { type: 'string', default: '12' }, connections: { type: 'string', default: '32' }, json: { type: 'string' } },
  });
  return { duration: Number(values.duration), connections: Number(values.connections), json: values.json };
}

function startIssuer(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BUILT_MAIN], {
    cwd: APP_DIR,
    // Players arrive from many addresses; the header stands in for the one proxy that would say so.
    // The home is a throwaway: its key file is made on start.
    env: { PATH: process.env.PATH ?? '', TICKETBOOTH_HOME: home, PORT: '0', ISSUER_TRUSTED_PROXY_HOPS: '1', ISSUER_DEV_KEYS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`issuer exited early with ${code}`)));
  });
}

async function stopIssuer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function post(url: string, body: unknown, address: string): Promise<Record<string, string>> {
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': address };
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

async function createSessions(base: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const credentials = { username: `bench-${i}`, password: `bench password ${i}` };
    const address = `198.51.100.${i}`;
    await post(`${base}/v1/accounts`, credentials, address);
    tokens.push((await post(`${base}/v1/sessions`, credentials, address)).token!);
  }
  return tokens;
}

/** Ops/s of `run` over about `seconds`, checking the clock every 256 calls. */
function opsPerSecond(run: (i: number) => unknown, seconds: number): number {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) for (let j = 0; j < 256; j++) run(n++);
  return n / ((performance.now() - start) / 1000);
}

function signers() {
  const key = createSigningKey(generateSeed());
  const now = Date.now();
  const claims = (i: number): TicketClaims => ({
    iss: 'ticketbooth-issuer',
    sub: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    aud: 'ticketbooth-matchmaker',
    iat: toPasetoDate(now),
    exp: toPasetoDate(now + 300_000),
    jti: `jti-${i}`,
    pool: { mode: 'duel', region: 'eu' },
    rating: 1500,
    queuedAt: toPasetoDate(now),
  });
  // Raw: Ed25519 over a message the size of a ticket's PAE, the ceiling for any signer.
  const message = Buffer.alloc(400, 7);
  return {
    raw: () => ed25519Sign(null, message, key.privateKey),
    token: (i: number) => signToken(key, 'ticket', claims(i)),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function load(base: string, tokens: string[], duration: number, connections: number): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url: `${base}/v1/tickets`,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode: 'duel', region: 'eu', latencies: { eu: 20, na: 95 } }),
    // Each connection plays one player.
    setupClient: (client) => client.setHeaders({ 'content-type': 'application/json', authorization: `Bearer ${tokens[next++ % tokens.length]}` }),
  });
}

interface Round {
  readonly raw: number;
  readonly token: number;
  readonly tickets: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
}

/** Rounds interleave the reference and the load, so a noisy spell on the shared machine hits both. */
async function runRounds(url: string, tokens: string[], duration: number, connections: number): Promise<Round[]> {
  const sign = signers();
  opsPerSecond(sign.raw, 0.3);
  opsPerSecond(sign.token, 0.3);
  await load(url, tokens, 2, connections);
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const raw = opsPerSecond(sign.raw, SIGN_SECONDS);
    const token = opsPerSecond(sign.token, SIGN_SECONDS);
    const result = await load(url, tokens, Math.max(1, Math.round(duration / ROUNDS)), connections);
    const { p50, p99 } = result.latency;
    rounds.push({ raw, token, tickets: result.requests.average, p50, p99, failures: result.non2xx + result.errors });
    console.error(`round ${r + 1}/${ROUNDS}: ${Math.round(result.requests.average)} req/s, raw sign ${Math.round(raw)} ops/s`);
  }
  return rounds;
}

async function main(): Promise<void> {
  const { duration, connections, json } = options();
  const home = mkdtempSync(join(tmpdir(), 'issuer-bench-'));
  const { child, url } = await startIssuer(home);
  try {
    const rounds = await runRounds(url, await createSessions(url), duration, connections);
    const of = (pick: (r: Round) => number) => Math.round(median(rounds.map(pick)));
    const report = {
      machine: `${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} cores, Node ${process.versions.node}, load ${loadavg()[0]?.toFixed(2)}`,
      connections,
      durationS: duration,
      ticketsPerSec: of((r) => r.tickets),
      latencyMs: { p50: of((r) => r.p50), p99: of((r) => r.p99) },
      failures: rounds.reduce((n, r) => n + r.failures, 0),
      rawEd25519SignPerSec: of((r) => r.raw),
      signTokenPerSec: of((r) => r.token),
    };
    console.log(`machine: ${report.machine}`);
    console.log(
      `POST /v1/tickets  ${report.ticketsPerSec} req/s  p50 ${report.latencyMs.p50} ms  p99 ${report.latencyMs.p99} ms` +
        `  (median of ${ROUNDS} rounds; ${connections} connections, ${duration} s in all, non-2xx + errors: ${report.failures})`,
    );
    console.log(`raw Ed25519 sign  ${report.rawEd25519SignPerSec} ops/s (one core, in the bench process)`);
    console.log(`signToken(ticket) ${report.signTokenPerSec} ops/s`);
    console.log(`issuance / raw sign: ${(report.ticketsPerSec / report.rawEd25519SignPerSec).toFixed(3)}`);
    if (json !== undefined) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    if (report.failures > 0) process.exitCode = 1;
  } finally {
    await stopIssuer(child);
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
