// Match formation on a thread of its own: a big pool's tick takes hundreds of milliseconds to
// seconds of CPU, which on the event loop would hold every resubmission that long.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buffersOf, type Columns } from './columns.ts';
import type { ColumnMatches, MatchRules } from './form-matches.ts';
import type { FormationJob } from './formation-worker.ts';

export interface Formed {
  readonly matches: ColumnMatches;
  /** The columns sent, handed back. */
  readonly columns: Columns;
  /** Time forming took on the thread. */
  readonly ms: number;
}

type Answer = { id: number; matches: ColumnMatches; columns: Columns; ms: number } | { id: number; error: string };

/**
 * One worker thread, started at the first job, that forms matches on columns (formOnColumns).
 * Jobs run one at a time in order. It keeps the process alive only while a job is pending.
 *
 * @example
 * const thread = new FormationThread();
 * const { matches, ms } = await thread.form(builder.finish(), rules, now); // the columns' buffers move to the thread
 */
export class FormationThread {
  #worker: Worker | undefined;
  #next = 0;
  readonly #pending = new Map<number, { resolve: (answer: Formed) => void; reject: (error: Error) => void }>();

  /**
   * The columns are unusable here afterwards: their buffers are transferred, not copied. They
   * come back with the matches, for a ColumnsBuilder to fill again.
   */
  form(columns: Columns, rules: MatchRules, now: number): Promise<Formed> {
    const worker = (this.#worker ??= this.#start());
    const id = this.#next++;
    const job: FormationJob = { id, columns, rules, now };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage(job, buffersOf(columns));
    });
  }

  /** Ends the thread; pending jobs fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  #start(): Worker {
    const worker = startWorker();
    worker.on('message', (answer: Answer) => {
      const pending = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if (this.#pending.size === 0) worker.unref();
      if (pending === undefined) return;
      if ('error' in answer) pending.reject(new Error(`formation thread: ${answer.error}`));
      else pending.resolve(answer);
    });
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const { reject } of this.#pending.values()) reject(error);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`formation thread exited (${code})`)));
    worker.unref();
    return worker;
  }
}

function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./formation-worker.js', here));
  // Running from source (tests, tsx): a worker does not inherit the loader, so it registers
  // tsx's before loading the TypeScript file, and resolves workspace packages to source.
  // The ESM entry of tsx's API, beside the CommonJS one `require.resolve` finds.
  const tsx = join(dirname(createRequire(here).resolve('tsx/esm/api')), 'index.mjs');
  const bootstrap = `import(${JSON.stringify(pathToFileURL(tsx).href)})
    .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./formation-worker.ts', here).href)}); })`;
  return new Worker(bootstrap, { eval: true, execArgv: ['--conditions=@ticketbooth/source'] });
}
