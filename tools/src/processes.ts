// Starting the services as real child processes, waiting until they are ready, stopping them by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type ServiceName = 'issuer' | 'matchmaker';

export interface ServiceOptions {
  /** 0 lets the service pick a free port; it reports the one it took. */
  readonly port: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Every output line of the child, stdout and stderr alike. */
  readonly onLine?: (line: string) => void;
  readonly readyTimeoutMs?: number;
  /** Wait for `/readyz` as well as for the listening line. Default true. */
  readonly waitReady?: boolean;
  /**
   * Appends the child's output to this file instead of piping it through this process (needs a
   * fixed `port`; readiness is `/readyz` alone). A parent busy with load generation reads a pipe
   * late, and a service logging synchronously to a full pipe stops until it is read.
   */
  readonly logFile?: string;
}

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash, as far as the service can tell. */
  kill(): Promise<void>;
}

// In the service's JSON log line: {"level":"info",…,"msg":"ticketbooth-issuer listening on http://…"}.
const LISTENING = /ticketbooth-(?:issuer|matchmaker) listening on (http:\/\/[^\s"]+)/;

/**
 * A built file of an app (`pnpm build` writes `apps/<name>/dist`): what ships is what the
 * end-to-end tests, the simulator and `pnpm start` run.
 */
export function builtFile(name: ServiceName, file: 'main.js' | 'cli.js'): string {
  const path = `${REPO_ROOT}apps/${name}/dist/${file}`;
  if (!existsSync(path)) throw new Error(`apps/${name}/dist/${file} is missing: run pnpm build first`);
  return path;
}

/**
 * Spawns the built `apps/<name>/dist/main.js` under plain Node, resolves once it
 * listens (and answers `/readyz`), rejects if it exits first or times out.
 */
export async function startService(name: ServiceName, options: ServiceOptions): Promise<ServiceProcess> {
  const portVariable = name === 'issuer' ? 'ISSUER_PORT' : 'MATCHMAKER_PORT';
  if (options.logFile !== undefined && options.port === 0) throw new TypeError('a service logging to a file needs a fixed port');
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(
    process.execPath,
    [builtFile(name, 'main.js')],
    {
      cwd: `${REPO_ROOT}apps/${name}`,
      // The listening line is logged at info: a quieter LOG_LEVEL from the shell would hide it.
      // Services started from here are dev and test ones: an issuer may make its key file.
      env: { ISSUER_DEV_KEYS: '1', MATCHMAKER_DEV_KEYS: '1', ...process.env, LOG_LEVEL: 'info', ...options.env, [portVariable]: String(options.port) },
      stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
    },
  );
  if (logFd !== undefined) closeSync(logFd);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = logFd === undefined ? await waitForListening(name, child, exited, options) : `http://127.0.0.1:${options.port}`;
  const handle: ServiceProcess = {
    name,
    pid: child.pid as number,
    port: Number(new URL(url).port),
    url,
    exited,
    stop: (graceMs = 5_000) => stopChild(child, exited, graceMs),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  if (logFd !== undefined || (options.waitReady ?? true)) {
    await waitUntilReady(`${url}/readyz`, exited, options.readyTimeoutMs ?? 30_000).catch(async (error: unknown) => {
      await handle.kill();
      throw error;
    });
  }
  return handle;
}

function waitForListening(
  name: ServiceName,
  child: ChildProcess,
  exited: Promise<{ code: number | null }>,
  options: ServiceOptions,
): Promise<string> {
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${options.readyTimeoutMs ?? 30_000} ms:\n${tail.join('\n')}`));
    }, options.readyTimeoutMs ?? 30_000);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        options.onLine?.(line);
        tail.push(line);
        if (tail.length > 40) tail.shift();
        const found = LISTENING.exec(line);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!);
        }
      });
    }
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before listening:\n${tail.join('\n')}`));
    });
  });
}

async function waitUntilReady(url: string, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(gone ? `${url}: process exited before ready` : `${url} not ready within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A port free on 127.0.0.1 right now, for a service that must come back on the same port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
