// The matchmaker app as main.ts serves it, holding BENCH_PLAYERS queued players in four pools
// (two per mode) while the bench resubmits BENCH_TICKETS real tickets among them. Ticks run only
// while switched on (a control server on a second port): the bench compares resubmissions with
// ticks running against ticks paused, on the same process and pool.
//
// The crowd keeps its size: rating windows a millionth of a point wide (and not widening) over
// ratings drawn as distinct floats (normal, sd 300) leave nearly nobody a partner, while each
// second BENCH_ARRIVALS new players queue in groups that fill a match at one rating; the next
// formation matches them. So every formation reads, sorts and walks the whole pool, and settles
// and signs a steady stream of matches: the steady state of a big pool.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { startServer } from '@ticketbooth/http';
import { KeyRing, createSigningKey, createVerificationKey, generateSeed } from '@ticketbooth/tickets';
import { createApp } from '../src/app.ts';
import { Queue } from '../src/pool.ts';
import { BENCH_TICKET_TTL_MS, NARROW, STALL_POOLS, benchSettings, crowdRatings } from './bench-support.ts';

const TICK_MS = 1_000;

const issuerPublic = process.env.BENCH_ISSUER_PUBLIC;
if (!issuerPublic) throw new TypeError('BENCH_ISSUER_PUBLIC is required');
const players = Number(process.env.BENCH_PLAYERS ?? 400_000);
const arrivalsPerSecond = Number(process.env.BENCH_ARRIVALS ?? 2_000);
const shared = parseSharedConfig({
  ...DEMO_CONFIG,
  ticketTtlMs: BENCH_TICKET_TTL_MS,
  modes: { duel: { ...DEMO_CONFIG.modes.duel, ratingWindow: NARROW }, squad: { ...DEMO_CONFIG.modes.squad, ratingWindow: NARROW } },
});
const settings = { ...benchSettings(), shared, pools: [...STALL_POOLS], warmupMs: 0 };
const queue = new Queue({ staleAfterMs: settings.staleAfterMs });
const { app, lane, matchmaker } = createApp({
  settings,
  queue,
  ticketKeys: { ring: new KeyRing({ verification: [createVerificationKey({ publicKey: issuerPublic })] }), hasKeys: () => true, refetchForUnknownKid: async () => false },
  matchKeys: new KeyRing({ signing: createSigningKey(generateSeed()) }),
  now: Date.now,
  newId: randomUUID,
});

let next = 0;
const rating = crowdRatings(7);
function enqueue(pool: string, value: number, queuedAt: number, now: number): void {
  const i = next++;
  queue.upsert({ sub: `crowd-${i}`, pool, rating: value, queuedAt, party: undefined, issuedAt: now - 1_000, expiresAt: now + BENCH_TICKET_TTL_MS, ticketId: `crowd-ticket-${i}`, kid: 'k' }, now);
}
const filledAt = Date.now();
for (let i = 0; i < players; i++) enqueue(STALL_POOLS[i % STALL_POOLS.length]!, rating(), filledAt - (i % 60_000), filledAt);

/** A second's arrivals: groups of one match each (2 for a duel, 8 for a squad), one rating per group. */
function arrive(): void {
  const now = Date.now();
  for (let k = 0; k < arrivalsPerSecond; ) {
    const pool = STALL_POOLS[Math.floor(k / 8) % STALL_POOLS.length]!;
    const size = pool.startsWith('duel') ? 2 : 8;
    const value = rating();
    for (let m = 0; m < size; m++) enqueue(pool, value, now, now);
    k += size;
  }
}

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let ticker: NodeJS.Timeout | undefined;
let formations = 0;
const settledBefore = () => matchmaker.pools().reduce((sum, p) => sum + p.matchesFormed, 0);
let settledAtReset = settledBefore();
let resetAt = performance.now();
const control = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  if (url.pathname === '/ticks') {
    const on = url.searchParams.get('on') === '1';
    if (on && ticker === undefined) {
      ticker = setInterval(() => {
        arrive();
        matchmaker.tick();
        formations++;
      }, TICK_MS);
    } else if (!on && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }
  if (url.pathname === '/reset') {
    delay.reset();
    settledAtReset = settledBefore();
    resetAt = performance.now();
  }
  const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({
      queued: matchmaker.playersIn(),
      ticking: ticker !== undefined,
      formations,
      busyPools: matchmaker.formingBusy(),
      matchesSinceReset: settledBefore() - settledAtReset,
      secondsSinceReset: (performance.now() - resetAt) / 1000,
      loopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    }),
  );
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const server = await startServer({ fetch: app.fetch, port: 0, lane });
const address = control.address();
console.log(`listening ${server.port} control ${typeof address === 'object' && address !== null ? address.port : 0} players ${matchmaker.playersIn()}`);
process.once('SIGTERM', () => process.exit(0));
