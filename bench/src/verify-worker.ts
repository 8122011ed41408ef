// Worker thread of verify-server.ts: full ticket verification off the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { coldVerifier } from './cold-verifier.ts';

const verifier = coldVerifier((workerData as { issuerPublic: string }).issuerPublic);
parentPort!.on('message', ({ id, token }: { id: number; token: string }) => {
  try {
    const { claims } = verifier.verify(token);
    parentPort!.postMessage({ id, sub: claims.sub, pool: JSON.stringify(claims.pool) });
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).message });
  }
});
