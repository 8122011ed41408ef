// The parent's side of load-runner.ts: one long-lived load child, jobs sent over IPC.
import type { LoadJob, LoadResult } from './load-runner.ts';
import { BENCH_DIR, spawnNode, stop } from './children.ts';

export type { LoadJob, LoadResult };

export interface LoadRunner {
  run(job: LoadJob): Promise<LoadResult>;
  close(): Promise<void>;
}

export async function startLoadRunner(): Promise<LoadRunner> {
  const child = spawnNode(`${BENCH_DIR}src/load-runner.ts`, { core: 1, ipc: true });
  const waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`load runner exited with ${code}`)));
    child.on('message', (message: { ready?: true; id?: number; result?: LoadResult; error?: string }) => {
      if (message.ready) return resolve();
      const job = waiting.get(message.id!);
      waiting.delete(message.id!);
      if (message.error !== undefined) job?.reject(new Error(message.error));
      else job?.resolve(message.result!);
    });
  });
  return {
    run(job) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, job });
      });
    },
    close: () => stop(child),
  };
}
