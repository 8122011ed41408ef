// Every process the suite starts: spawned by pid, pinned to a core when taskset works, stopped
// by pid at the end, on Ctrl-C and on errors.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('../', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Core 0 for servers, core 1 for load: only when taskset works and there are two cores. */
export const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && availableParallelism() >= 2;

export type Core = 0 | 1 | 'any';

const started = new Set<number>();

/** SIGKILL whatever is still running; idempotent, safe from an exit handler. */
export function stopAll(): void {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  started.clear();
}

process.on('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAll();
    process.exit(130);
  });
}

/** `node --import tsx <script>` under `taskset -c <core>` (taskset execs, so the pid is Node's). */
export function spawnNode(
  script: string,
  options: { core: Core; args?: readonly string[]; env?: Record<string, string>; nodeFlags?: readonly string[]; ipc?: boolean; nice?: boolean },
): ChildProcess {
  const node = [process.execPath, ...(options.nodeFlags ?? []), '--import', 'tsx', '--conditions=@ticketbooth/source', script, ...(options.args ?? [])];
  const pinned = canPin && options.core !== 'any' ? ['taskset', '-c', String(options.core), ...node] : node;
  // nice, then taskset, then node: each execs the next, so the pid is still Node's.
  const [command, ...argv] = options.nice ? ['nice', '-n', '19', ...pinned] : pinned;
  const child = spawn(command!, argv, {
    cwd: BENCH_DIR,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  track(child.pid);
  child.once('exit', () => started.delete(child.pid!));
  return child;
}

export function track(pid: number | undefined): void {
  if (pid !== undefined) started.add(pid);
}

/** Pins every thread of a running process (e.g. one `startService` spawned) to a core. */
export function pin(pid: number, core: 0 | 1): void {
  if (canPin) spawnSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}

let profileDir: string | undefined;

/** From now on, bench servers run under `node --cpu-prof` and write their profiles here on stop. */
export function profileServersInto(dir: string): void {
  profileDir = dir;
}

/** A server script that prints `listening <port>` once it accepts connections. */
export async function startBenchServer(
  script: string,
  options: { core: Core; env?: Record<string, string> },
): Promise<{ child: ChildProcess; port: number; url: string }> {
  const profiling = profileDir === undefined ? {} : { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] };
  const child = spawnNode(script, { ...options, ...profiling });
  if (profileDir !== undefined) profiled.add(child);
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening (\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return { child, port, url: `http://127.0.0.1:${port}` };
}

const profiled = new WeakSet<ChildProcess>();

/** SIGKILL by pid and wait for the exit; a profiled server gets SIGTERM first, to write its profile. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    if (!profiled.has(child)) return void process.kill(child.pid!, 'SIGKILL');
    process.kill(child.pid!, 'SIGTERM');
    setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid!, 'SIGKILL'), 10_000).unref();
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  // Fields after the command name; utime and stime are the 12th and 13th, in 1/100 s.
  const [utime, stime] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').slice(11, 13).map(Number);
  return (utime! + stime!) / 100;
}
