// Ticket sign/verify throughput against the raw Ed25519 ceiling, jose and paseto, in one run.
// Usage: pnpm --filter @ticketbooth/tickets bench [--json <file>]
import { verify as ed25519Verify, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { SignJWT, jwtVerify } from 'jose';
import { V4 } from 'paseto';
import {
  KeyRing,
  createSigningKey,
  createVerifier,
  implicitAssertion,
  parseToken,
  signToken,
  toPasetoDate,
  type SigningKey,
  type TicketClaims,
} from '@ticketbooth/tickets';
import { V4_PUBLIC_HEADER, pae } from '../src/paseto.ts';

const ROUNDS = 5;
const SLICE_MS = 300;
const WARMUP_SLICE_MS = 150;
// Calls between clock reads: small enough for the slowest case, large enough that reading the clock is noise.
const BATCH = 32;
const COLD_TOKENS = 1_000;
const CACHED_TOKENS = 10_000;
const ISSUER = 'ticketbooth-issuer';
const AUDIENCE = 'ticketbooth-matchmaker';
const TICKET_LIFETIME_MS = 5 * 60_000;
const MAX_LIFETIME_MS = 10 * 60_000;
const IMPLICIT = implicitAssertion('ticket');

/** One call of a case; `i` picks the input round-robin. */
type Run = (i: number) => unknown;
type RunAsync = (i: number) => Promise<unknown>;

interface CaseName {
  readonly id: string;
  readonly label: string;
}
type Case = (CaseName & { readonly kind: 'sync'; readonly run: Run }) | (CaseName & { readonly kind: 'async'; readonly run: RunAsync });

interface Result {
  readonly id: string;
  readonly label: string;
  readonly opsPerSec: number;
  readonly usPerOp: number;
  readonly ratioToRaw: number;
  readonly samples: readonly number[];
}

interface Target {
  readonly label: string;
  readonly figure: string;
  readonly pass: boolean;
}

/** A realistic queued-player ticket; `i` makes every token distinct. */
function ticketClaims(i: number, nowMs: number): TicketClaims {
  return {
    iss: ISSUER,
    sub: `player-${i.toString().padStart(7, '0')}`,
    aud: AUDIENCE,
    iat: toPasetoDate(nowMs),
    exp: toPasetoDate(nowMs + TICKET_LIFETIME_MS),
    jti: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    pool: { mode: 'ranked-5v5', region: 'eu-west' },
    rating: 1150 + (i % 700),
    queuedAt: toPasetoDate(nowMs - 42_000),
    latencies: { 'eu-west': 18 + (i % 20), 'eu-central': 31, 'us-east': 94 },
  };
}

/** The same claims as a JWT carries them: NumericDate seconds for `iat` and `exp`. */
function jwtClaims(claims: TicketClaims): Record<string, unknown> {
  return { ...claims, iat: Date.parse(claims.iat) / 1000, exp: Date.parse(claims.exp) / 1000 };
}

/** PAE bytes and signature of each token, exactly what our verifier hands to Ed25519. */
function rawInputs(tokens: readonly string[]): { data: Buffer; signature: Buffer }[] {
  const header = Buffer.from(V4_PUBLIC_HEADER);
  const implicit = Buffer.from(IMPLICIT);
  return tokens.map((token) => {
    const { message, footer, signature } = parseToken(token);
    return { data: pae([header, message, footer, implicit]), signature };
  });
}

interface Fixtures {
  readonly claims: readonly TicketClaims[];
  /** One of ours per claims entry; the first COLD_TOKENS also exist as raw inputs, JWTs and paseto tokens. */
  readonly tokens: readonly string[];
  readonly raw: readonly { data: Buffer; signature: Buffer }[];
  readonly jwts: readonly string[];
  readonly pasetos: readonly string[];
}

async function signFixtures(key: SigningKey, nowMs: number): Promise<Fixtures> {
  const claims = Array.from({ length: CACHED_TOKENS }, (_, i) => ticketClaims(i, nowMs));
  const tokens = claims.map((c) => signToken(key, 'ticket', c));
  const few = claims.slice(0, COLD_TOKENS);
  const jwtHeader = { alg: 'EdDSA', kid: key.kid };
  const jwts = await Promise.all(
    few.map((c) => new SignJWT(jwtClaims(c)).setProtectedHeader(jwtHeader).sign(key.privateKey)),
  );
  // Same footer and implicit assertion as ours, so both sides hash and verify the same amount of data.
  const pasetoOptions = { footer: { kid: key.kid, purpose: 'ticket' }, assertion: IMPLICIT, iat: false };
  const pasetos = await Promise.all(few.map((c) => V4.sign(c, key.privateKey, pasetoOptions)));
  return { claims, tokens, raw: rawInputs(tokens.slice(0, COLD_TOKENS)), jwts, pasetos };
}

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;
const sync = (id: string, label: string, run: Run): Case => ({ id, label, kind: 'sync', run });
const awaited = (id: string, label: string, run: RunAsync): Case => ({ id, label, kind: 'async', run });

function buildCases(fx: Fixtures, key: SigningKey, publicKey: KeyObject, ring: KeyRing) {
  const options = { keys: ring, purpose: 'ticket' as const, issuer: ISSUER, audience: AUDIENCE, maxLifetimeMs: MAX_LIFETIME_MS };
  const coldVerifier = createVerifier({ ...options, cacheSize: 0 });
  const cachedVerifier = createVerifier(options);
  for (const token of fx.tokens) cachedVerifier.verify(token);
  const cold = fx.tokens.slice(0, COLD_TOKENS);
  const joseOptions = {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['EdDSA'],
    clockTolerance: 5,
    maxTokenAge: '10m',
    requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti'],
  };
  const pasetoOptions = {
    issuer: ISSUER,
    audience: AUDIENCE,
    clockTolerance: '5s',
    maxTokenAge: '10m',
    assertion: IMPLICIT,
  };

  const cases: Case[] = [
    sync('raw', 'raw crypto.verify Ed25519 (ceiling)', (i) => {
      const { data, signature } = pick(fx.raw, i);
      if (!ed25519Verify(null, data, publicKey, signature)) throw new Error('raw verify failed');
    }),
    sync('cold', 'our verify, cold (cacheSize 0)', (i) => coldVerifier.verify(pick(cold, i))),
    sync('cached', 'our verify, cached (10k tokens)', (i) => cachedVerifier.verify(pick(fx.tokens, i))),
    sync('sign', 'our signToken', (i) => signToken(key, 'ticket', pick(fx.claims, i))),
    awaited('jose', 'jose jwtVerify EdDSA (await)', (i) => jwtVerify(pick(fx.jwts, i), publicKey, joseOptions)),
    awaited('paseto', 'paseto V4.verify (await)', (i) => V4.verify(pick(fx.pasetos, i), publicKey, pasetoOptions)),
  ];
  return { cases, coldVerifier, cachedVerifier };
}

/** Calls the case for `sliceMs` and returns its rate; async cases are awaited one at a time. */
async function measure(c: Case, sliceMs: number): Promise<number> {
  let calls = 0;
  let elapsed = 0;
  const start = performance.now();
  do {
    if (c.kind === 'sync') for (let n = 0; n < BATCH; n++) c.run(calls + n);
    else for (let n = 0; n < BATCH; n++) await c.run(calls + n);
    calls += BATCH;
    elapsed = performance.now() - start;
  } while (elapsed < sliceMs);
  return (calls / elapsed) * 1000;
}

/** Interleaves every case in each round, rotating the order, so drift on a shared machine hits all alike. */
async function runRounds(cases: readonly Case[]): Promise<Map<string, number[]>> {
  for (const c of cases) await measure(c, WARMUP_SLICE_MS);
  const samples = new Map(cases.map((c) => [c.id, [] as number[]]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = cases.map((_, k) => cases[(k + round) % cases.length] as Case);
    for (const c of order) samples.get(c.id)?.push(await measure(c, SLICE_MS));
    const line = cases.map((c) => `${c.id} ${formatInt(samples.get(c.id)?.at(-1) ?? 0)}`).join(', ');
    process.stderr.write(`round ${round + 1}/${ROUNDS}: ${line} ops/s\n`);
  }
  return samples;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function summarize(cases: readonly Case[], samples: Map<string, number[]>): Result[] {
  const rawOps = median(samples.get('raw') ?? []);
  return cases.map((c) => {
    const runs = samples.get(c.id) ?? [];
    const opsPerSec = median(runs);
    const usPerOp = 1e6 / opsPerSec;
    return { id: c.id, label: c.label, opsPerSec, usPerOp, ratioToRaw: opsPerSec / rawOps, samples: runs };
  });
}

function checkTargets(results: readonly Result[]): Target[] {
  const ops = (id: string) => results.find((r) => r.id === id)?.opsPerSec ?? Number.NaN;
  const target = (label: string, ratio: number, min: number, strict = false): Target => ({
    label,
    figure: `${ratio.toFixed(2)}×`,
    pass: strict ? ratio > min : ratio >= min,
  });
  const cold = ops('cold');
  return [
    target('cold verify ≥ 0.9 × raw ceiling', cold / ops('raw'), 0.9),
    target('cached verify ≥ 50 × cold verify', ops('cached') / cold, 50),
    target('cold verify faster than jose', cold / ops('jose'), 1, true),
    target('cold verify faster than paseto', cold / ops('paseto'), 1, true),
  ];
}

function machineInfo() {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadavg1m: Number(loadavg()[0]?.toFixed(2)),
  };
}

function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Half the range of the round samples, relative to their median. */
function spread(samples: readonly number[], center: number): string {
  return `±${(((Math.max(...samples) - Math.min(...samples)) / 2 / center) * 100).toFixed(1)}%`;
}

/** A Markdown table, padded so it also reads well in a terminal. */
function table(results: readonly Result[]): string {
  const header = ['case', 'ops/s', 'µs/op', '× raw', 'spread'];
  const rows = results.map((r) => [
    r.label,
    formatInt(r.opsPerSec),
    r.usPerOp.toFixed(2),
    r.ratioToRaw.toFixed(3),
    spread(r.samples, r.opsPerSec),
  ]);
  const widths = header.map((_, col) => Math.max(...[header, ...rows].map((row) => row[col]?.length ?? 0)));
  const pad = (cell: string, col: number) =>
    col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0);
  const line = (row: string[]) => `| ${row.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, col) => (col === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

type Machine = ReturnType<typeof machineInfo>;

function printReport(machine: Machine, results: readonly Result[], targets: readonly Target[]): void {
  const { cpu, cores, node, platform, loadavg1m } = machine;
  console.log(`machine: ${cpu}, ${cores} cores, Node ${node}, ${platform}, load ${loadavg1m}`);
  console.log(`method: ${ROUNDS} interleaved rounds × ${SLICE_MS} ms per case, median of rounds;`);
  console.log('        jose and paseto verify are async and awaited one call at a time\n');
  console.log(table(results));
  console.log('');
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.label}: ${t.figure}`);
}

function readJsonPath(): string | undefined {
  // `pnpm bench -- --json x` forwards the `--` too.
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  return parseArgs({ args, options: { json: { type: 'string' } } }).values.json;
}

async function main(): Promise<void> {
  const jsonPath = readJsonPath();
  const machine = machineInfo();
  const key = createSigningKey(Buffer.alloc(32, 7));
  const ring = new KeyRing({ signing: key });
  const publicKey = ring.get(key.kid)?.publicKey;
  if (publicKey === undefined) throw new Error('signing key missing from its ring');

  process.stderr.write(`setup: signing ${CACHED_TOKENS} tickets, warming the cache\n`);
  const fixtures = await signFixtures(key, Date.now());
  const { cases, coldVerifier, cachedVerifier } = buildCases(fixtures, key, publicKey, ring);
  const samples = await runRounds(cases);
  // Proves what the rows measured: the cold verifier never hit, the cached one missed only while warming.
  if (coldVerifier.stats().hits !== 0 || cachedVerifier.stats().misses !== CACHED_TOKENS) {
    throw new Error('a verifier cache behaved unlike the case it stands for');
  }
  const results = summarize(cases, samples);
  const targets = checkTargets(results);
  printReport(machine, results, targets);

  if (jsonPath !== undefined) {
    const config = { rounds: ROUNDS, sliceMs: SLICE_MS, coldTokens: COLD_TOKENS, cachedTokens: CACHED_TOKENS };
    const report = { date: new Date().toISOString(), machine, config, results, targets };
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  }
}

await main();
