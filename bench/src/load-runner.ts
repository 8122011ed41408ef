// Child process (pinned to the load core): runs autocannon for the suite over IPC, so the load
// generator has a Node of its own and never shares an event loop with the orchestration.
import autocannon from 'autocannon';

export interface LoadJob {
  readonly url: string;
  readonly connections: number;
  /** Seconds of load; or `amount` requests, whichever the job names. */
  readonly duration?: number;
  readonly amount?: number;
  /** Static requests, serialized once and cycled by every connection. */
  readonly requests?: readonly { method: 'GET' | 'POST'; path: string; headers?: Record<string, string> }[];
  /** One never-seen bearer token per request, shared by all connections (the cold path). */
  readonly freshTokens?: readonly string[];
}

export interface LoadResult {
  readonly rps: number;
  readonly total: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Fresh tokens asked for beyond the list: those requests repeated a token. */
  readonly tokensShort: number;
  /** Answers by status code. */
  readonly statuses: Record<string, number>;
}

async function run(job: LoadJob): Promise<LoadResult> {
  let next = 0;
  let short = 0;
  const tokens = job.freshTokens;
  const requests = tokens
    ? [
        {
          method: 'POST' as const,
          path: new URL(job.url).pathname,
          setupRequest(request: autocannon.Request) {
            if (next >= tokens.length) short++;
            const token = tokens[next++ % tokens.length]!;
            return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
          },
        },
      ]
    : job.requests?.map((r) => ({ ...r }));
  const started = performance.now();
  let lastResponse = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        ...(job.amount === undefined ? { duration: job.duration ?? 5 } : { amount: job.amount }),
        ...(requests ? { requests } : {}),
      },
      (error, done) => (error ? reject(error as Error) : resolve(done)),
    );
    // autocannon notices that `amount` is done only on its 1 s timer: time to the last answer.
    instance.on('response', () => (lastResponse = performance.now()));
  });
  const seconds = (lastResponse - started) / 1000;
  const total = result.requests.total;
  return {
    // With `amount`, autocannon's per-second average is skewed by the partial last second.
    rps: job.amount === undefined ? result.requests.average : total / seconds,
    total,
    seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    tokensShort: short,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats?.count ?? 0])),
  };
}

process.on('message', (message: { id: number; job: LoadJob }) => {
  run(message.job).then(
    (result) => process.send!({ id: message.id, result }),
    (error: unknown) => process.send!({ id: message.id, error: String(error) }),
  );
});
process.send!({ ready: true });
