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

type Case =
  | { readonly id: string; readonly label: string; readonly kind: 'sync'; readonly run: (i: number) => unknown }
  | { readonly id: string; readonly label: string; readonly kind: 'async'; readonly run: (i: number) => Promise<unknown> };

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

async function buildCases(key: SigningKey, publicKey: KeyObject, ring: KeyRing, nowMs: number) {
  const claims = Array.from({ length: CACHED_TOKENS }, (_, i) => ticketClaims(i, nowMs));
  const ours = claims.map((c) => signToken(key, 'ticket', c));
  const cold = ours.slice(0, COLD_TOKENS);
  const raw = rawInputs(cold);
  const footer = { kid: key.kid, purpose: 'ticket' };
  const jwts = await Promise.all(
    claims.slice(0, COLD_TOKENS).map((c) =>
      new SignJWT(jwtClaims(c)).setProtectedHeader({ alg: 'EdDSA', kid: key.kid }).sign(key.privateKey),
    ),
  );
  const pasetos = await Promise.all(
    claims.slice(0, COLD_TOKENS).map((c) => V4.sign(c, key.privateKey, { footer, assertion: IMPLICIT, iat: false })),
  );

  const verifierOptions = { keys: ring, purpose: 'ticket', issuer: ISSUER, audience: AUDIENCE, maxLifetimeMs: MAX_LIFETIME_MS } as const;
  const coldVerifier = createVerifier({ ...verifierOptions, cacheSize: 0 });
  const cachedVerifier = createVerifier({ ...verifierOptions, cacheSize: 2 * CACHED_TOKENS });
  for (const token of ours) cachedVerifier.verify(token);

  const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;
  const joseOptions = {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['EdDSA'],
    clockTolerance: 5,
    maxTokenAge: '10m',
    requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti'],
  };
  const pasetoOptions = { issuer: ISSUER, audience: AUDIENCE, clockTolerance: '5s', maxTokenAge: '10m', assertion: IMPLICIT };

  const cases: Case[] = [
    {
      id: 'raw',
      label: 'raw crypto.verify Ed25519 (ceiling)',
      kind: 'sync',
      run(i) {
        const { data, signature } = pick(raw, i);
        if (!ed25519Verify(null, data, publicKey, signature)) throw new Error('raw verify failed');
      },
    },
    { id: 'cold', label: 'our verify, cold (cacheSize 0)', kind: 'sync', run: (i) => coldVerifier.verify(pick(cold, i)) },
    { id: 'cached', label: 'our verify, cached (10k tokens)', kind: 'sync', run: (i) => cachedVerifier.verify(pick(ours, i)) },
    { id: 'sign', label: 'our signToken', kind: 'sync', run: (i) => signToken(key, 'ticket', pick(claims, i)) },
    { id: 'jose', label: 'jose jwtVerify EdDSA (await)', kind: 'async', run: (i) => jwtVerify(pick(jwts, i), publicKey, joseOptions) },
    { id: 'paseto', label: 'paseto V4.verify (await)', kind: 'async', run: (i) => V4.verify(pick(pasetos, i), publicKey, pasetoOptions) },
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
    return { id: c.id, label: c.label, opsPerSec, usPerOp: 1e6 / opsPerSec, ratioToRaw: opsPerSec / rawOps, samples: runs };
  });
}

function checkTargets(results: readonly Result[]): Target[] {
  const ops = (id: string) => results.find((r) => r.id === id)?.opsPerSec ?? Number.NaN;
  const cold = ops('cold');
  const x = (n: number) => `${n.toFixed(2)}×`;
  return [
    { label: 'cold verify ≥ 0.9 × raw ceiling', figure: x(cold / ops('raw')), pass: cold / ops('raw') >= 0.9 },
    { label: 'cached verify ≥ 50 × cold verify', figure: x(ops('cached') / cold), pass: ops('cached') / cold >= 50 },
    { label: 'cold verify faster than jose', figure: x(cold / ops('jose')), pass: cold > ops('jose') },
    { label: 'cold verify faster than paseto', figure: x(cold / ops('paseto')), pass: cold > ops('paseto') },
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

const formatInt = (n: number) => Math.round(n).toLocaleString('en-US');

function spread(samples: readonly number[], center: number): string {
  return `±${(((Math.max(...samples) - Math.min(...samples)) / 2 / center) * 100).toFixed(1)}%`;
}

function table(results: readonly Result[]): string {
  const rows = [
    ['case', 'ops/s', 'µs/op', '× raw', 'spread'],
    ...results.map((r) => [r.label, formatInt(r.opsPerSec), r.usPerOp.toFixed(2), r.ratioToRaw.toFixed(3), spread(r.samples, r.opsPerSec)]),
  ];
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => row[col]?.length ?? 0))) ?? [];
  const line = (row: string[]) => `| ${row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, col) => (col === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  // `pnpm bench -- --json x` forwards the `--` too.
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const { values } = parseArgs({ args, options: { json: { type: 'string' } } });
  const machine = machineInfo();
  const key = createSigningKey(Buffer.alloc(32, 7));
  const ring = new KeyRing({ signing: key });
  const publicKey = ring.get(key.kid)?.publicKey;
  if (publicKey === undefined) throw new Error('signing key missing from its ring');

  process.stderr.write(`setup: signing ${CACHED_TOKENS} tickets, warming the cache\n`);
  const { cases, coldVerifier, cachedVerifier } = await buildCases(key, publicKey, ring, Date.now());
  const samples = await runRounds(cases);
  const results = summarize(cases, samples);
  const targets = checkTargets(results);
  const cold = coldVerifier.stats();
  const cached = cachedVerifier.stats();
  // Proves what each row measured: the cold verifier never hit, the cached one only missed while warming.
  if (cold.hits !== 0 || cached.misses !== CACHED_TOKENS) throw new Error('cache behaved unlike the case it measures');

  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.platform}, load ${machine.loadavg1m}`);
  console.log(`method: ${ROUNDS} interleaved rounds × ${SLICE_MS} ms per case, median of rounds; jose and paseto awaited sequentially\n`);
  console.log(table(results));
  console.log('');
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.label}: ${t.figure}`);

  if (values.json !== undefined) {
    const config = { rounds: ROUNDS, sliceMs: SLICE_MS, coldTokens: COLD_TOKENS, cachedTokens: CACHED_TOKENS };
    writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), machine, config, results, targets }, null, 2)}\n`);
  }
}

await main();
