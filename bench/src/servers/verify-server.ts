// The cold-path experiment: POST /v1/queue that fully verifies every ticket (cache off), either
// on the event loop (VERIFY_MODE=sync, as the matchmaker does) or in worker threads
// (VERIFY_MODE=workers, VERIFY_WORKERS=n), answering the matchmaker's `searching` shape.
import { Worker } from 'node:worker_threads';
import { Hono } from 'hono';
import { Problem, bearerToken, createErrorHandler, startServer } from '@ticketbooth/http';
import { coldVerifier } from '../cold-verifier.ts';

const issuerPublic = process.env.BENCH_ISSUER_PUBLIC;
if (!issuerPublic) throw new TypeError('BENCH_ISSUER_PUBLIC is required');
const mode = process.env.VERIFY_MODE ?? 'sync';
const workerCount = Number(process.env.VERIFY_WORKERS ?? 2);

type Verify = (token: string) => { sub: string; pool: string } | Promise<{ sub: string; pool: string }>;

function onLoop(): Verify {
  const verifier = coldVerifier(issuerPublic!);
  return (token) => {
    const { claims } = verifier.verify(token);
    return { sub: claims.sub, pool: JSON.stringify(claims.pool) };
  };
}

/** Round-robin over workers; each answers `{id, sub, pool}` or `{id, error}`. */
function inWorkers(count: number): Verify {
  // A worker does not inherit tsx's loader: register it, then load the worker module.
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then(({ register }) => { register(); return import(${JSON.stringify(new URL('../verify-worker.ts', import.meta.url).href)}); })`;
  const pending = new Map<number, { resolve: (v: { sub: string; pool: string }) => void; reject: (e: Error) => void }>();
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(bootstrap, { eval: true, workerData: { issuerPublic }, execArgv: ['--conditions=@ticketbooth/source'] });
    worker.on('message', (m: { id: number; sub?: string; pool?: string; error?: string }) => {
      const job = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) job?.reject(new Problem(401, 'invalid-ticket', 'Ticket refused', m.error));
      else job?.resolve({ sub: m.sub!, pool: m.pool! });
    });
    return worker;
  });
  let next = 0;
  return (token) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      workers[id % count]!.postMessage({ id, token });
    });
}

const verify = mode === 'workers' ? inWorkers(workerCount) : onLoop();
const searching = ({ pool }: { pool: string }) =>
  new Response(`{"status":"searching","pool":${pool},"queuedForMs":0,"playersInPool":1,"resubmitAfterMs":5000}`, {
    headers: { 'content-type': 'application/json' },
  });
const app = new Hono();
app.post('/v1/queue', (c): Response | Promise<Response> => {
  const verified = verify(bearerToken(c.req.header('authorization')));
  return verified instanceof Promise ? verified.then(searching) : searching(verified);
});
app.onError(createErrorHandler({}));
const server = await startServer({ fetch: app.fetch, port: 0 });
console.log(`listening ${server.port}`);
process.once('SIGTERM', () => process.exit(0));
