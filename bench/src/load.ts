// The parent's side of load-runner.ts: one long-lived load child, jobs sent over IPC.
import type { LoadJob, LoadResult } from './load-runner.ts';
import { BENCH_DIR, spawnNode, stop, type Core } from './children.ts';

export type { LoadJob, LoadResult };

export interface LoadRunner {
  /** The load child's pid, for its CPU time. */
  readonly pid: number;
  run(job: LoadJob): Promise<LoadResult>;
  close(): Promise<void>;
}

/** The autocannon child on the load core; `nice` lets other load-core processes go first. */
export function startLoadRunner(options: { nice?: boolean } = {}): Promise<LoadRunner> {
  return startJobChild<LoadJob, LoadResult>(`${BENCH_DIR}src/load-runner.ts`, { core: 1, ...options });
}

/** A child process that takes jobs over IPC and answers each with a result (or an error). */
export async function startJobChild<Job, Result>(
  script: string,
  options: { core: Core; nice?: boolean },
): Promise<{ readonly pid: number; run(job: Job): Promise<Result>; close(): Promise<void> }> {
  const child = spawnNode(script, { ...options, ipc: true });
  const waiting = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on('message', (message: { ready?: true; id?: number; result?: Result; error?: string }) => {
      if (message.ready) return resolve();
      const job = waiting.get(message.id!);
      waiting.delete(message.id!);
      if (message.error !== undefined) job?.reject(new Error(message.error));
      else job?.resolve(message.result!);
    });
  });
  return {
    pid: child.pid!,
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
