// The bench's processes: start one (its stdout to a file, so the bench spends no CPU on its log
// lines), wait for its "listening on" line, read its CPU time, stop it. Plus a throwaway
// PostgreSQL database for the issuer's PostgreSQL variant.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const START_TIMEOUT_MS = 30_000;
// Clock ticks per second in /proc/<pid>/stat: 100 on every Linux build we run on.
const CLOCK_TICKS = 100;

export interface Service {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Runs `node <args>` with `env`, its stdout in `logFile`; resolves with the URL it prints. */
export async function startService(name: string, args: string[], env: Record<string, string>, cwd: string, logFile: string): Promise<Service> {
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited early with ${child.exitCode}`);
    const match = /listening on (http:\/\/[^\s"]+)/.exec(readFileSync(logFile, 'utf8'));
    if (match) return { child, url: match[1]! };
    await sleep(50);
  }
  await stopService(child);
  throw new Error(`${name} did not start within ${START_TIMEOUT_MS} ms`);
}

/** SIGTERM to the one process we started, SIGKILL after 5 s. */
export async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** User + system CPU milliseconds the process has used so far. */
export function cpuMs(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Creates a database named for this run on the server at `adminUrl`; `drop` removes it. */
export async function throwawayDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `issuer_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
