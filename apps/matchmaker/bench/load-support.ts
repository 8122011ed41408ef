// Shared by the HTTP benches: bench servers in child processes (on core 0 when taskset works),
// their CPU time from /proc, and autocannon runs measured against it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const APP_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const pinning = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && availableParallelism() >= 2;

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Moves this process (autocannon), all its threads, to core 1, away from the servers' core 0. */
export function pinLoadToCore1(): void {
  if (pinning) spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)]);
}

/**
 * Starts a bench server script in a child process (on core 0 when taskset works); resolves
 * with its port and whatever else it printed on its "listening" line.
 */
export function startBenchServer(script: string, env: Record<string, string> = {}, profileDir?: string): Promise<{ child: ChildProcess; port: number; line: string }> {
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const node = [process.execPath, ...profile, '--max-old-space-size=4096', '--import', 'tsx', '--conditions=@ticketbooth/source', script];
  const [command, ...argv] = pinning ? ['taskset', '-c', '0', ...node] : node;
  const child = spawn(command!, argv, { cwd: APP_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)[^\n]*/.exec(output);
      if (match) resolve({ child, port: Number(match[1]), line: match[0] });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** Ends a bench server by pid: SIGTERM when it must write a profile on the way out. */
export function stopBenchServer(child: ChildProcess, graceful = false): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(child.pid!, graceful ? 'SIGTERM' : 'SIGKILL');
  });
}

/** CPU seconds (user + system) a process, or one of its threads, has used so far, from /proc. */
export function cpuSeconds(pid: number, tid?: number): number {
  const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** CPU seconds of the process's main thread (its event loop) and of all its other threads. */
export function cpuByThread(pid: number): { main: number; others: number } {
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) if (Number(tid) !== pid) others += cpuSeconds(pid, Number(tid));
  return { main: cpuSeconds(pid, pid), others };
}

export interface LoadFigure {
  readonly rps: number;
  readonly cpuUsPerRequest: number;
  /** The load generator's own CPU per request: when it nears 1e6 / rps, the client is the limit. */
  readonly clientCpuUsPerRequest: number;
  /** Share of one core the server was busy; below ~0.95 the load generator was the limit. */
  readonly serverBusy: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * req/s under autocannon, plus the server's CPU time per answered request: on a shared
 * two-core machine the load generator can be the limit, and the CPU cost is not.
 */
export async function runLoad(server: ChildProcess, options: autocannon.Options & { connections: number; duration: number }): Promise<LoadFigure> {
  // Read at 'start': building thousands of distinct requests per connection comes before it.
  let cpuBefore = 0;
  let clientBefore = process.cpuUsage();
  let started = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    run.once('start', () => {
      cpuBefore = cpuSeconds(server.pid!);
      clientBefore = process.cpuUsage();
      started = performance.now();
    });
  });
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.pid!) - cpuBefore;
  const client = process.cpuUsage(clientBefore);
  const answered = result.requests.total;
  return {
    rps: result.requests.average,
    cpuUsPerRequest: (cpu * 1e6) / answered,
    clientCpuUsPerRequest: (client.user + client.system) / answered,
    serverBusy: cpu / elapsed,
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
