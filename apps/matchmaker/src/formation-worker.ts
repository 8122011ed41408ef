// The formation thread's side: columns in, matches out, both as transferred buffers.
import { parentPort } from 'node:worker_threads';
import type { Columns } from './columns.ts';
import { formOnColumns, matchBuffers, type MatchRules } from './form-matches.ts';

export interface FormationJob {
  readonly id: number;
  readonly columns: Columns;
  readonly rules: MatchRules;
  readonly now: number;
}

parentPort!.on('message', ({ id, columns, rules, now }: FormationJob) => {
  try {
    const started = performance.now();
    const matches = formOnColumns(columns, rules, now);
    parentPort!.postMessage({ id, matches, ms: performance.now() - started }, matchBuffers(matches));
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
