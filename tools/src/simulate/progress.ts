// Live progress on one line (a TTY) or a line every few seconds (logs).
export interface Counts {
  /** Players with an account and a ticket, ready to queue. */
  readonly prepared: number;
  readonly queued: number;
  /** Players whose search ended in a settled match (ready or assigned). */
  readonly matched: number;
  /** Players whose search ended out of the queue: declined, no-show, cancelled, timed out. */
  readonly out: number;
  readonly errors: number;
}

export function progressLine(elapsedMs: number, counts: Counts, total: number, note = ''): string {
  const seconds = (elapsedMs / 1000).toFixed(0).padStart(4);
  return `${seconds}s  prepared ${counts.prepared}/${total}  searching ${counts.queued}  settled ${counts.matched}  out ${counts.out}  errors ${counts.errors}${note ? `  ${note}` : ''}`;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr) {
  let last = 0;
  return {
    update(line: string, now = Date.now()) {
      if (stream.isTTY) stream.write(`\r${line.padEnd(100)}`);
      else if (now - last >= 5_000) {
        last = now;
        stream.write(`${line}\n`);
      }
    },
    done(line: string) {
      stream.write(stream.isTTY ? `\r${line.padEnd(100)}\n` : `${line}\n`);
    },
  };
}
