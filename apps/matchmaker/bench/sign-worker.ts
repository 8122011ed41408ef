// Worker thread for memory.ts: signs batches of tickets while the main thread submits.
import { parentPort, workerData } from 'node:worker_threads';
import { createSigningKey } from '@ticketbooth/tickets';
import { benchTicket } from './bench-support.ts';

const { secret, now } = workerData as { secret: string; now: number };
const key = createSigningKey(secret);
parentPort!.on('message', ({ from, count }: { from: number; count: number }) => {
  const tokens: string[] = [];
  for (let i = from; i < from + count; i++) tokens.push(benchTicket(key, i, now));
  parentPort!.postMessage(tokens);
});
