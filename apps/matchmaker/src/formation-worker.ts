// The formation thread's side: columns in, matches out, both as transferred buffers.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { buffersOf, type Columns } from './columns.ts';
import { formOnColumns, matchBuffers, type MatchRules } from './form-matches.ts';

export interface FormationJob {
  readonly id: number;
  readonly columns: Columns;
  readonly rules: MatchRules;
  readonly now: number;
}

lowerPriority();

parentPort!.on('message', ({ id, columns, rules, now }: FormationJob) => {
  try {
    const started = performance.now();
    const matches = formOnColumns(columns, rules, now);
    // The columns go back too, for the next formation to fill again.
    parentPort!.postMessage({ id, matches, columns, ms: performance.now() - started }, [...matchBuffers(matches), ...buffersOf(columns)]);
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});

/**
 * Forming is batch work and answering clients is not: on Linux this thread takes the lowest
 * priority (nice 19, for this thread alone: /proc/thread-self names it), so on a core it shares
 * with the event loop it runs on what the loop leaves, and on a core of its own it runs as fast.
 * Elsewhere it keeps the process's priority.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // Not Linux, or not allowed: forming at the process's priority is still correct.
  }
}

