// The parent's side of replay-driver.ts (players replaying their tickets), and a matchmaker's
// pools as `GET /v1/pools` reports them: shared by the rebuild and failover parts.
import { BENCH_DIR, cpuSeconds, spawnNode, stop } from './children.ts';
import type { DriverStart, DriverStats } from './replay-driver.ts';

export type { DriverStart, DriverStats };

export interface PoolsReading {
  readonly players: number;
  readonly matches: number;
  readonly warmingUp: boolean;
}

interface PoolsBody {
  readonly warmingUp: boolean;
  readonly pools: readonly { players: number; matchesFormed: number }[];
}

/** A matchmaker's pools summed (queued players, matches formed), or undefined when it does not answer. */
export async function readPools(url: string): Promise<PoolsReading | undefined> {
  const response = await fetch(`${url}/v1/pools`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  if (!response?.ok) return undefined;
  const body = (await response.json()) as PoolsBody;
  return {
    players: body.pools.reduce((s, p) => s + p.players, 0),
    matches: body.pools.reduce((s, p) => s + p.matchesFormed, 0),
    warmingUp: body.warmingUp,
  };
}

/** The replay driver as a child on the load core, asked over IPC. */
export function startDriver() {
  const child = spawnNode(`${BENCH_DIR}src/replay-driver.ts`, { core: 1, ipc: true });
  const ask = <T>(message: object, key: string) =>
    new Promise<T>((resolve) => {
      const onMessage = (reply: Record<string, unknown>) => {
        if (!(key in reply)) return;
        child.off('message', onMessage);
        resolve(reply[key] as T);
      };
      child.on('message', onMessage);
      child.send(message);
    });
  return {
    start: (job: DriverStart) => ask<true>({ start: job }, 'started'),
    /**
     * From now on `backSinceMark` counts the players answered 200 again. Resolves to the ms
     * from now until the latest resubmission the driver has scheduled.
     */
    mark: () => ask<number>({ mark: true }, 'marked'),
    stats: () => ask<DriverStats>({ stats: true }, 'stats'),
    stop: () => stop(child),
    cpu: () => cpuSeconds(child.pid!),
    pid: child.pid!,
  };
}
