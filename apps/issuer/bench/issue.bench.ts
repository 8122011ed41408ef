// Ticket issuance throughput over HTTP next to a bare signing route and the raw Ed25519 ceiling,
// and game results (POST /v1/results) next to issuance on each store, in one run.
// Usage: pnpm --filter @ticketbooth/issuer bench [--duration 12] [--rounds 3] [--connections 32]
//        [--database-url postgres://postgres@127.0.0.1:5432/test] [--json <file>] [--cpu-prof <dir>]
// --cpu-prof writes a V8 CPU profile of each issuer process (node --cpu-prof) into <dir> when it stops.
//
// Three servers, each its own process: the built issuer (src/main.ts) on a temp SQLite file, the
// same issuer on PostgreSQL (a throwaway database, dropped at the end), and the baseline: a bare
// Hono route that parses the body and signs one ticket with the same signToken (bare-server.ts).
// Issuer sessions are created before the load starts, so its measured path is: session verify
// (cached) + store read (epoch, ban, rating) + ticket sign + JSON + its request log line.
// Rounds interleave the targets (in a rotating order) and the in-process signing figures, so a
// noisy spell on the shared machine hits all of them; ratios are taken within a round.
// Results: a registered game server reports duels between the bench users, each match once
// (match tokens signed here with a key the issuers fetch from a stand-in GET /v1/keys), so each
// request verifies a match token and moves two ratings in a transaction.
// Stops by itself; ends only the processes it started.
import { sign as ed25519Sign } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyRing, applyKeyFile, createSigningKey, generateKeyFile, generateSeed, publicKeySet, signToken, toPasetoDate, type TicketClaims } from '@ticketbooth/tickets';
import { cpuMs, startService, stopService, throwawayDatabase, type Service } from './services.ts';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
// The built service, as it ships (`pnpm build`; `pnpm test` builds first).
const BUILT_MAIN = join(APP_DIR, 'dist', 'main.js');
if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run pnpm build first`);
const USERS = 64;
const SIGN_SECONDS = 1;
const TARGETS = ['bare', 'sqlite', 'postgres'] as const;
type Target = (typeof TARGETS)[number];

function options() {
  // `pnpm bench -- --json x` forwards the `--` too.
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: 'string', default: '12' },
      rounds: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
      'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
      json: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
  });
  return {
    duration: Number(values.duration),
    rounds: Number(values.rounds),
    connections: Number(values.connections),
    databaseUrl: values['database-url'],
    json: values.json,
    cpuProfDir: values['cpu-prof'],
  };
}

const ADMIN_TOKEN = 'bench-admin-token-0123456789';

function startIssuer(home: string, store: 'sqlite' | 'postgres', matchmakerUrl: string, databaseUrl?: string, cpuProfDir?: string): Promise<Service> {
  // Players arrive from many addresses; the header stands in for the one proxy that would say so.
  // The home is a throwaway: its key file is made on start.
  const env = {
    TICKETBOOTH_HOME: join(home, store),
    PORT: '0',
    ISSUER_TRUSTED_PROXY_HOPS: '1',
    ISSUER_DEV_KEYS: '1',
    ADMIN_TOKEN,
    MATCHMAKER_URL: matchmakerUrl,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const profile = cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProfDir, '--cpu-prof-name', `issuer-${store}.cpuprofile`];
  return startService('issuer', [...profile, BUILT_MAIN], env, APP_DIR, join(home, `issuer-${store}.log`));
}

function startBare(home: string): Promise<Service> {
  // tsx only transpiles bench/bare-server.ts; @ticketbooth/tickets resolves to its build, as in the issuer.
  return startService('bare server', ['--import', 'tsx', join(APP_DIR, 'bench', 'bare-server.ts')], {}, APP_DIR, join(home, 'bare.log'));
}

async function post(url: string, body: unknown, address: string): Promise<Record<string, string>> {
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': address };
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

async function createSessions(base: string): Promise<{ tokens: string[]; ids: string[] }> {
  const tokens: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const credentials = { username: `bench-${i}`, password: `bench password ${i}` };
    const address = `198.51.100.${i}`;
    ids.push((await post(`${base}/v1/accounts`, credentials, address)).id!);
    tokens.push((await post(`${base}/v1/sessions`, credentials, address)).token!);
  }
  return { tokens, ids };
}

/** A stand-in matchmaker: publishes the key match tokens are signed with, as GET /v1/keys. */
async function keyServer(ring: KeyRing): Promise<{ url: string; server: Server }> {
  const body = JSON.stringify(publicKeySet(ring));
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Match tokens for duels between the bench users, one per result: never the same match twice. */
function matchTokens(ring: KeyRing, ids: readonly string[]) {
  const now = Date.now();
  let n = 0;
  return () => {
    const i = n++;
    const [a, b] = [ids[i % ids.length]!, ids[(i * 7 + 1 + Math.floor(i / ids.length)) % ids.length]!];
    const id = `bench-${now}-${i}`;
    return signToken(ring.signingKey(), 'match', {
      iss: 'ticketbooth-matchmaker',
      sub: id,
      aud: 'ticketbooth-game-server',
      iat: toPasetoDate(now),
      exp: toPasetoDate(now + 600_000),
      jti: id,
      pool: { mode: 'duel', region: 'eu' },
      teams: [[{ sub: a, rating: 1500 }], [{ sub: a === b ? ids[(i + 1) % ids.length]! : b, rating: 1500 }]],
    });
  };
}

async function registerGameServer(base: string): Promise<string> {
  const res = await fetch(`${base}/v1/admin/game-servers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ name: 'bench' }),
  });
  if (res.status !== 201) throw new Error(`game server not registered: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}

/** Results at the rate the issuer takes them: each request a new match (its token signed just before). */
function loadResults(base: string, credential: string, nextMatch: () => string, duration: number, connections: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${base}/v1/results`,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ match: nextMatch(), ranks: [1, 2] }) }) }],
  });
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

interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Server CPU (user + system) per answered request, microseconds. */
  readonly cpuUs: number;
  readonly failures: number;
}

interface Round {
  readonly raw: number;
  readonly token: number;
  readonly of: Record<Target, Measured>;
  /** POST /v1/results on each store. */
  readonly results: Record<Store, Measured>;
}

interface Loaded {
  readonly service: Service;
  readonly tokens: string[];
  /** The stores' issuers: a game server's credential and the next match to report. */
  readonly results?: { readonly credential: string; readonly nextMatch: () => string };
}

const STORES = ['sqlite', 'postgres'] as const;
type Store = (typeof STORES)[number];

async function measure({ service, tokens, results }: Loaded, seconds: number, connections: number, what: 'tickets' | 'results' = 'tickets'): Promise<Measured> {
  const cpuBefore = cpuMs(service.child);
  const result = what === 'tickets' ? await load(service.url, tokens, seconds, connections) : await loadResults(service.url, results!.credential, results!.nextMatch, seconds, connections);
  const cpu = cpuMs(service.child) - cpuBefore;
  const { p50, p99 } = result.latency;
  return { rps: result.requests.average, p50, p99, cpuUs: (cpu * 1000) / Math.max(1, result.requests.total), failures: result.non2xx + result.errors };
}

async function runRounds(targets: Record<Target, Loaded>, opts: ReturnType<typeof options>): Promise<Round[]> {
  const sign = signers();
  opsPerSecond(sign.raw, 0.3);
  opsPerSecond(sign.token, 0.3);
  for (const target of TARGETS) await load(targets[target].service.url, targets[target].tokens, 2, opts.connections);
  for (const store of STORES) await measure(targets[store], 2, opts.connections, 'results');
  const seconds = Math.max(1, Math.round(opts.duration / opts.rounds));
  const rounds: Round[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    const raw = opsPerSecond(sign.raw, SIGN_SECONDS);
    const token = opsPerSecond(sign.token, SIGN_SECONDS);
    const of = {} as Record<Target, Measured>;
    for (let t = 0; t < TARGETS.length; t++) {
      const target = TARGETS[(r + t) % TARGETS.length]!;
      of[target] = await measure(targets[target], seconds, opts.connections);
    }
    const results = {} as Record<Store, Measured>;
    for (const store of r % 2 === 0 ? STORES : [...STORES].reverse()) results[store] = await measure(targets[store], seconds, opts.connections, 'results');
    rounds.push({ raw, token, of, results });
    const ratio = (t: Target) => (of[t].rps / of.bare.rps).toFixed(2);
    console.error(
      `round ${r + 1}/${opts.rounds}: bare ${Math.round(of.bare.rps)}, sqlite ${Math.round(of.sqlite.rps)} (${ratio('sqlite')}x), ` +
        `postgres ${Math.round(of.postgres.rps)} (${ratio('postgres')}x) req/s; results sqlite ${Math.round(results.sqlite.rps)}, ` +
        `postgres ${Math.round(results.postgres.rps)} req/s; raw sign ${Math.round(raw)} ops/s`,
    );
  }
  return rounds;
}

function report(rounds: Round[], opts: ReturnType<typeof options>) {
  const of = (pick: (r: Round) => number, digits = 0) => Number(median(rounds.map(pick)).toFixed(digits));
  const target = (t: Target) => ({
    reqPerSec: of((r) => r.of[t].rps),
    p50Ms: of((r) => r.of[t].p50, 1),
    p99Ms: of((r) => r.of[t].p99, 1),
    cpuUsPerRequest: of((r) => r.of[t].cpuUs),
    failures: rounds.reduce((n, r) => n + r.of[t].failures, 0),
    ...(t === 'bare' ? {} : { ratioToBare: of((r) => r.of[t].rps / r.of.bare.rps, 3) }),
  });
  return {
    machine: `${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} cores, Node ${process.versions.node}, load ${loadavg()[0]?.toFixed(2)}`,
    connections: opts.connections,
    rounds: opts.rounds,
    durationS: opts.duration,
    bare: target('bare'),
    sqlite: target('sqlite'),
    postgres: target('postgres'),
    results: Object.fromEntries(
      STORES.map((store) => [
        store,
        {
          reqPerSec: of((r) => r.results[store].rps),
          p50Ms: of((r) => r.results[store].p50, 1),
          p99Ms: of((r) => r.results[store].p99, 1),
          cpuUsPerRequest: of((r) => r.results[store].cpuUs),
          failures: rounds.reduce((n, r) => n + r.results[store].failures, 0),
          ratioToIssuance: of((r) => r.results[store].rps / r.of[store].rps, 3),
        },
      ]),
    ) as Record<Store, { reqPerSec: number; p50Ms: number; p99Ms: number; cpuUsPerRequest: number; failures: number; ratioToIssuance: number }>,
    rawEd25519SignPerSec: of((r) => r.raw),
    signTokenPerSec: of((r) => r.token),
  };
}

function print(r: ReturnType<typeof report>): void {
  console.log(`machine: ${r.machine}`);
  console.log(`POST /v1/tickets, median of ${r.rounds} rounds; ${r.connections} connections, ${r.durationS} s per target in all`);
  for (const t of TARGETS) {
    const m = r[t];
    const ratio = m.ratioToBare === undefined ? '' : `  issuer/bare ${m.ratioToBare.toFixed(2)}`;
    console.log(`  ${t.padEnd(8)} ${String(m.reqPerSec).padStart(6)} req/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  ${m.cpuUsPerRequest} us CPU/req  non-2xx + errors: ${m.failures}${ratio}`);
  }
  console.log(`POST /v1/results (a new match each, two ratings moved), same rounds`);
  for (const store of STORES) {
    const m = r.results[store];
    console.log(`  ${store.padEnd(8)} ${String(m.reqPerSec).padStart(6)} req/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  ${m.cpuUsPerRequest} us CPU/req  non-2xx + errors: ${m.failures}  results/issuance ${m.ratioToIssuance.toFixed(2)}`);
  }
  console.log(`raw Ed25519 sign  ${r.rawEd25519SignPerSec} ops/s (one core, in the bench process)`);
  console.log(`signToken(ticket) ${r.signTokenPerSec} ops/s`);
}

async function main(): Promise<void> {
  const opts = options();
  const home = mkdtempSync(join(tmpdir(), 'issuer-bench-'));
  const started: Service[] = [];
  const database = await throwawayDatabase(opts.databaseUrl);
  let stopKeys = async () => {};
  try {
    const keep = async (s: Promise<Service>) => {
      const service = await s;
      started.push(service);
      return service;
    };
    const matchKeys = new KeyRing();
    applyKeyFile(matchKeys, generateKeyFile(Date.now()));
    const keys = await keyServer(matchKeys);
    stopKeys = () => new Promise((resolve) => keys.server.close(() => resolve()));
    const bare = await keep(startBare(home));
    const sqlite = await keep(startIssuer(home, 'sqlite', keys.url, undefined, opts.cpuProfDir));
    const postgres = await keep(startIssuer(home, 'postgres', keys.url, database.url, opts.cpuProfDir));
    const withResults = async (service: Service): Promise<Loaded> => {
      const { tokens, ids } = await createSessions(service.url);
      return { service, tokens, results: { credential: await registerGameServer(service.url), nextMatch: matchTokens(matchKeys, ids) } };
    };
    const targets = {
      bare: { service: bare, tokens: [''] },
      sqlite: await withResults(sqlite),
      postgres: await withResults(postgres),
    };
    const result = report(await runRounds(targets, opts), opts);
    print(result);
    if (opts.json !== undefined) writeFileSync(opts.json, `${JSON.stringify(result, null, 2)}\n`);
    if (TARGETS.some((t) => result[t].failures > 0) || STORES.some((t) => result.results[t].failures > 0)) process.exitCode = 1;
  } finally {
    await stopKeys();
    for (const service of started) await stopService(service.child);
    await database.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
