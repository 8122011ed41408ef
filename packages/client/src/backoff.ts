// Waiting between attempts: capped exponential backoff with jitter, and jittered intervals.

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 8_000 };

/** Delay before retry number `attempt` (0-based): "equal jitter", so it never collapses to 0. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `ms` moved by up to ±`fraction`, so a crowd of clients does not resubmit in lockstep. */
export function jitter(ms: number, random: () => number, fraction = 0.2): number {
  return Math.max(0, Math.round(ms * (1 - fraction + 2 * fraction * random())));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits `ms` without keeping a Node process alive for it; false when `stop` aborted first. */
export function pause(ms: number, stop: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (stop.aborted) return resolve(false);
    const done = (kept: boolean) => {
      clearTimeout(timer);
      stop.removeEventListener('abort', onAbort);
      resolve(kept);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    (timer as { unref?: () => void }).unref?.();
    stop.addEventListener('abort', onAbort, { once: true });
  });
}
