// Child process (node --expose-gc): heap per queued player after N real submissions.
// Every ticket is signed, submitted through the matchmaker's real submit path (digest,
// Ed25519 verify, claims, upsert) and dropped, so the heap keeps only what the queue keeps.
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { KeyRing, createSigningKey, generateSeed } from '@ticketbooth/tickets';
import { createMatchmaker } from '../src/matchmaker.ts';
import { Queue } from '../src/pool.ts';
import { benchSettings, benchTicket } from './bench-support.ts';

const players = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new TypeError('run with --expose-gc');

function settle(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const issuer = createSigningKey(generateSeed());
// Its own queue, so the warm-up's entries can be taken out before the baseline.
const queue = new Queue({ staleAfterMs: benchSettings().staleAfterMs, maxWaitMs: () => undefined });
const mm = createMatchmaker({
  settings: benchSettings(),
  queue,
  ticketKeys: { ring: new KeyRing({ signing: issuer }), hasKeys: () => true, refetchForUnknownKid: async () => false },
  matchKeys: new KeyRing({ signing: createSigningKey(generateSeed()) }),
  now: Date.now,
  newId: randomUUID,
});
const now = Date.now();
// Warm the code paths and the fixed structures before the baseline.
for (let i = 0; i < 1_000; i++) await mm.submit(benchTicket(issuer, players + i, now));
for (let i = 0; i < 1_000; i++) queue.remove(`player-${(players + i).toString().padStart(7, '0')}`);
const before = settle();
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
// Signing runs in a worker, one batch ahead, so the run takes about as long as the verifies.
const BATCH = 2_000;
const IN_FLIGHT = 64;
// A worker does not inherit tsx's loader, so it registers it before loading the signer.
const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./sign-worker.ts', import.meta.url).href)}); })`;
const signer = new Worker(bootstrap, {
  eval: true,
  workerData: { secret: issuer.paserk, now },
  execArgv: ['--conditions=@ticketbooth/source'],
});
const nextBatch = (from: number) =>
  new Promise<string[]>((resolve) => {
    signer.once('message', resolve);
    signer.postMessage({ from, count: Math.min(BATCH, players - from) });
  });
let pending = nextBatch(0);
for (let from = 0; from < players; from += BATCH) {
  const tokens = await pending;
  if (from + BATCH < players) pending = nextBatch(from + BATCH);
  // As many in flight as the thread pool verifies at once: past that the matchmaker verifies on
  // its loop, up to a share of it, and answers 503 busy, as it should to a flood.
  for (let at = 0; at < tokens.length; at += IN_FLIGHT) {
    const results = await Promise.all(tokens.slice(at, at + IN_FLIGHT).map((token) => mm.submit(token)));
    for (const [k, result] of results.entries()) {
      if (result.status !== 'searching') throw new Error(`player ${from + at + k}: ${result.status}`);
    }
  }
}
await signer.terminate();
const seconds = (performance.now() - started) / 1000;
const after = settle();
if (queue.players() !== players) throw new Error(`queued ${queue.players()} of ${players}`);
console.log(
  JSON.stringify({
    players,
    bytesPerPlayer: (after - before) / players,
    heapMiB: (after - before) / 2 ** 20,
    rssMiB: (process.memoryUsage().rss - rssBefore) / 2 ** 20,
    seconds,
  }),
);
