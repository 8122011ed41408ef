// Part 7: honest resubmissions while forged tickets flood in from the load core, with and
// without the refusal budget; latency ratios against the same players just before each flood.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createSigningKey, generateSeed, signToken, toPasetoDate, type SigningKey } from '@ticketbooth/tickets';
import { benchTicket } from '@ticketbooth/matchmaker/bench/bench-support.ts';
import { BENCH_DIR, REPO_DIR, cpuSeconds, startBenchServer, stop } from './children.ts';
import type { HonestJob, HonestResult } from './honest-client.ts';
import { startJobChild, startLoadRunner, type LoadResult } from './load.ts';
import { median } from './stats.ts';

export interface FloodOptions {
  readonly issuer: SigningKey;
  readonly players: number;
  readonly intervalMs: number;
  readonly durationS: number;
  readonly rounds: number;
  /** Budget settings and flooder connection counts, as `budget@connections`. */
  readonly cases: readonly string[];
  readonly log: (line: string) => void;
}

export interface LatencyFigure {
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non200: number;
}

export interface FloodRound {
  readonly before: LatencyFigure;
  readonly during: LatencyFigure;
  /** Forged requests answered per second, and by status. */
  readonly floodRps: number;
  readonly floodStatuses: Record<string, number>;
  /** Connections the matchmaker closed for too many refused tickets during the flood. */
  readonly closedConnections: number;
  /** Share of one core the matchmaker used, honest players alone and during the flood. */
  readonly serverBusyAlone: number;
  readonly serverBusyFlooded: number;
}

export interface FloodCase {
  readonly name: string;
  readonly budget: Budget;
  /** The flooder's connections: with the budget, a held 429 limits each to one answer per hold. */
  readonly connections: number;
  readonly rounds: readonly FloodRound[];
  /** Medians over rounds of (during / before). */
  readonly p50Ratio: number;
  readonly p99Ratio: number;
  readonly honestErrors: number;
}

const MATCHMAKER_BENCH = `${REPO_DIR}apps/matchmaker/bench/`;

/**
 * `on`: the budget as shipped; `no-hold`: 429s answered at once (as before the hold);
 * `no-close`: no connection closed for refused tickets; `off`: no budget at all.
 */
export type Budget = 'on' | 'no-hold' | 'no-close' | 'off';
const BUDGETS: readonly Budget[] = ['on', 'no-hold', 'no-close', 'off'];

export function parseCase(text: string): { budget: Budget; connections: number } {
  const [budget, connections] = text.split('@');
  const count = Number(connections ?? 64);
  if (!BUDGETS.includes(budget as Budget) || !Number.isInteger(count) || count < 1) {
    throw new TypeError(`flood case ${text}: expected budget@connections, budget one of ${BUDGETS.join(', ')}`);
  }
  return { budget: budget as Budget, connections: count };
}

/** The forgeries a flooder can send: each costs the server differently. */
function forgeries(issuer: SigningKey, count: number, now: number): Record<string, string[]> {
  const stranger = createSigningKey(generateSeed());
  const tampered = (token: string) => {
    const [v, p, body, footer] = token.split('.') as [string, string, string, string];
    return `${v}.${p}.${body.slice(0, -3)}${body.at(-3) === 'A' ? 'B' : 'A'}${body.slice(-2)}.${footer}`;
  };
  const claimsOf = (i: number) => ({
    iss: 'ticketbooth-issuer',
    sub: `forger-${i}`,
    aud: 'ticketbooth-matchmaker',
    iat: toPasetoDate(now),
    exp: toPasetoDate(now + 30 * 60_000),
    jti: `forged-${i}`,
    pool: { mode: 'squad', region: 'eu' },
    rating: 1500,
    queuedAt: toPasetoDate(now),
  });
  const ids = Array.from({ length: count }, (_, i) => i);
  return {
    // The issuer's kid, a signature that does not hold: a full Ed25519 check each without the budget.
    'bad signature, issuer kid': ids.map((i) => tampered(signToken(issuer, 'ticket', claimsOf(i)))),
    // Signed by a key we never trusted: refused at the kid lookup.
    'unknown key': ids.map((i) => signToken(stranger, 'ticket', claimsOf(i))),
  };
}

function latency(result: HonestResult): LatencyFigure {
  const at = (q: number) => result.latencies[Math.min(result.latencies.length - 1, Math.floor(q * result.latencies.length))] ?? NaN;
  const ok = result.statuses['200'] ?? 0;
  return { requests: result.requests, p50: at(0.5), p99: at(0.99), errors: result.errors, non200: result.requests - result.errors - ok };
}

async function closedConnections(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^ticketbooth_matchmaker_connections_closed_total\{reason="invalid_tickets"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

/**
 * For each budget setting (on, as shipped; off, as before it existed) and each forgery: honest
 * players resubmit alone for a while (before), then with the flood at full speed from the load
 * core (during). The flooder runs at nice 19 on the load core, so the honest client there is
 * never starved by it and its timings are the server's, not its own queueing.
 */
export async function measureFlood(o: FloodOptions): Promise<FloodCase[]> {
  const now = Date.now();
  const honestTokens = Array.from({ length: o.players }, (_, i) => benchTicket(o.issuer, i, now, 30 * 60_000));
  const forged = forgeries(o.issuer, 2_000, now);
  const honest = await startJobChild<HonestJob, HonestResult>(`${BENCH_DIR}src/honest-client.ts`, { core: 1 });
  const cases: FloodCase[] = [];
  try {
    for (const { budget, connections } of o.cases.map(parseCase)) {
      const server = await startBenchServer(`${MATCHMAKER_BENCH}matchmaker-server.ts`, {
        core: 0,
        env: { BENCH_ISSUER_PUBLIC: o.issuer.publicPaserk, BENCH_REFUSALS: budget },
      });
      try {
        const url = `${server.url}/v1/queue`;
        const honestJob: HonestJob = { url, tokens: honestTokens, intervalMs: o.intervalMs, durationS: o.durationS };
        // Queue every honest player and warm the server's JIT before anything is measured.
        await honest.run({ ...honestJob, durationS: 3 });
        for (const [name, tokens] of Object.entries(forged)) {
          const requests = tokens.map((t) => ({ method: 'POST' as const, path: '/v1/queue', headers: { authorization: `Bearer ${t}` } }));
          const rounds: FloodRound[] = [];
          // Alone, then flooded, round after round: a noisy spell hits both sides of a ratio.
          for (let round = 0; round < o.rounds; round++) {
            const cpuBefore = cpuSeconds(server.child.pid!);
            const before = latency(await honest.run(honestJob));
            const cpuAlone = cpuSeconds(server.child.pid!) - cpuBefore;
            const closedBefore = await closedConnections(server.url);
            const cpuFloodStart = cpuSeconds(server.child.pid!);
            // A new flooder each round: autocannon left with hundreds of connections the server
            // closed grew to gigabytes and never finished its next run.
            const flooder = await startLoadRunner({ nice: true });
            const [during, flood] = await Promise.all([
              honest.run(honestJob),
              flooder.run({ url, connections, duration: o.durationS, requests }) as Promise<LoadResult>,
            ]).finally(() => flooder.close());
            const duringFigure = latency(during);
            rounds.push({
              before,
              during: duringFigure,
              floodRps: flood.rps,
              floodStatuses: flood.statuses,
              closedConnections: (await closedConnections(server.url)) - closedBefore,
              serverBusyAlone: cpuAlone / o.durationS,
              serverBusyFlooded: (cpuSeconds(server.child.pid!) - cpuFloodStart) / o.durationS,
            });
            o.log(
              `  budget ${budget}, ${connections} connections, ${name}, round ${round + 1}/${o.rounds}: flood ${flood.rps.toFixed(0)} req/s (${Object.entries(flood.statuses).map(([s, n]) => `${s}: ${n}`).join(', ')}), ` +
                `honest p50 ${before.p50.toFixed(2)} -> ${duringFigure.p50.toFixed(2)} ms, p99 ${before.p99.toFixed(2)} -> ${duringFigure.p99.toFixed(2)} ms, ` +
                `server busy ${(100 * rounds.at(-1)!.serverBusyAlone).toFixed(0)}% -> ${(100 * rounds.at(-1)!.serverBusyFlooded).toFixed(0)}%, honest errors ${duringFigure.errors + duringFigure.non200}`,
            );
          }
          cases.push({
            name,
            budget,
            connections,
            rounds,
            p50Ratio: median(rounds.map((r) => r.during.p50 / r.before.p50)),
            p99Ratio: median(rounds.map((r) => r.during.p99 / r.before.p99)),
            honestErrors: rounds.reduce((sum, r) => sum + r.during.errors + r.during.non200, 0),
          });
          o.log(`  budget ${budget}, ${connections} connections, ${name}: honest p50 ${cases.at(-1)!.p50Ratio.toFixed(2)}x, p99 ${cases.at(-1)!.p99Ratio.toFixed(2)}x (median of ${o.rounds} rounds)`);
        }
      } finally {
        await stop(server.child);
      }
    }
  } finally {
    await honest.close();
  }
  return cases;
}

export interface PipelineFigure {
  readonly kind: string;
  readonly lane: 'on' | 'off';
  /** V8's old-space cap in MiB, or its default. */
  readonly heap: 'default' | '128';
  /** Whether the server answered a GET /healthz within 5 s while the attack's bytes were queued. */
  readonly survived: boolean;
  /** Whether the server process died (out of memory) during the attack. */
  readonly died: boolean;
  readonly connections: number;
  readonly seconds: number;
  /** Requests the clients managed to hand to the kernel (they never read an answer). */
  readonly requestsWritten: number;
  readonly rssBeforeMiB: number;
  readonly rssPeakMiB: number;
  /** (peak - before) / connections. */
  readonly perConnectionKiB: number;
}

/** Resident set size of a process we started, from /proc. */
function rssMiB(pid: number): number {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kib ?? 0) / 1024;
  } catch {
    return 0; // gone (out of memory): the peak stays what was seen before
  }
}

/**
 * Clients that pipeline a queued ticket's resubmission as fast as the kernel takes it and
 * never read an answer: the matchmaker must stop reading them instead of buffering answers,
 * so its RSS stays bounded whatever they send.
 */
export async function measurePipelineFlood(o: FloodOptions & { pipelineConnections: number }): Promise<PipelineFigure[]> {
  const token = benchTicket(o.issuer, 0, Date.now(), 30 * 60_000);
  // A queued ticket's resubmission, and the smallest request the route answers (401, no token):
  // the one that makes node:http hold the most request objects per byte read.
  const kinds = {
    'queued ticket': `POST /v1/queue HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    'minimal, no token': 'POST /v1/queue HTTP/1.1\r\nHost: x\r\n\r\n',
  };
  const figures: PipelineFigure[] = [];
  // Each kind with the lane on and off, under V8's default heap (which grows with the garbage of
  // answering at full speed) and under a 128 MiB old-space cap (what is really held).
  const runs = Object.entries(kinds).flatMap(([kind, text]) =>
    (['default', '128'] as const).flatMap((heap) => (['on', 'off'] as const).map((lane) => ({ kind, text, heap, lane }))),
  );
  for (const { kind, text, heap, lane } of runs) {
    const perWrite = Math.ceil(32_768 / text.length);
    const request = Buffer.from(text.repeat(perWrite), 'latin1');
    const server = await startBenchServer(`${MATCHMAKER_BENCH}matchmaker-server.ts`, {
      core: 0,
      env: { BENCH_ISSUER_PUBLIC: o.issuer.publicPaserk, BENCH_FAST_LANE: lane, ...(heap === 'default' ? {} : { NODE_OPTIONS: `--max-old-space-size=${heap}` }) },
    });
    try {
      // Queued first, so every pipelined request is the cheap resubmission.
      await fetch(`${server.url}/v1/queue`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      const pid = server.child.pid!;
      const before = rssMiB(pid);
      let peak = before;
      let written = 0;
      const until = Date.now() + o.durationS * 1000;
      const sockets = await Promise.all(
        Array.from({ length: o.pipelineConnections }, () => {
          const socket = connect(server.port, '127.0.0.1');
          socket.on('error', () => {});
          // Never read: the kernel's receive window fills, then the server's writes back up.
          socket.pause();
          return new Promise<Socket>((resolve) => socket.once('connect', () => resolve(socket)));
        }),
      );
      await Promise.all(
        sockets.map(async (socket) => {
          while (Date.now() < until && !socket.destroyed) {
            written += perWrite;
            // Until the kernel stops taking bytes; then only when there is room again, so the
            // attack costs this process nothing beyond one chunk per connection.
            socket.write(request);
            while (socket.writableNeedDrain && Date.now() < until && !socket.destroyed) {
              await once(socket, 'drain', { signal: AbortSignal.timeout(200) }).catch(() => {});
            }
            peak = Math.max(peak, rssMiB(pid));
          }
        }),
      );
      // Asked while the attack's bytes are still queued: an honest request must get through.
      const survived = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false);
      // A server that ran out of memory may still be exiting: give its exit a moment to land.
      if (!survived) await once(server.child, 'exit', { signal: AbortSignal.timeout(2_000) }).catch(() => {});
      peak = Math.max(peak, rssMiB(pid));
      for (const socket of sockets) socket.destroy();
      const figure: PipelineFigure = {
        kind,
        lane,
        heap,
        survived,
        died: server.child.exitCode !== null || server.child.signalCode !== null,
        connections: o.pipelineConnections,
        seconds: o.durationS,
        requestsWritten: written,
        rssBeforeMiB: before,
        rssPeakMiB: peak,
        perConnectionKiB: ((peak - before) * 1024) / o.pipelineConnections,
      };
      figures.push(figure);
      o.log(
        `  non-reading pipelines, ${kind}, lane ${lane}, heap ${heap}: ${o.pipelineConnections} connections, ${written.toLocaleString('en')} requests written, ` +
          `RSS ${before.toFixed(0)} -> ${peak.toFixed(0)} MiB (${figure.perConnectionKiB.toFixed(0)} KiB per connection), ${figure.died ? 'DIED' : figure.survived ? 'still serving' : 'not serving during the attack'}`,
      );
    } finally {
      await stop(server.child);
    }
  }
  return figures;
}
