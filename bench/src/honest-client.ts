// Child process: honest players resubmitting their queued tickets as the SDK does (send, wait for
// the answer, sleep one interval), each on its own keep-alive connection, timing every answer.
import { Agent, request } from 'node:http';

export interface HonestJob {
  readonly url: string;
  readonly tokens: readonly string[];
  readonly intervalMs: number;
  readonly durationS: number;
}

export interface HonestResult {
  readonly requests: number;
  /** Answer latencies in ms, sorted: the parent computes the percentiles it wants. */
  readonly latencies: readonly number[];
  readonly statuses: Record<string, number>;
  readonly errors: number;
}

function post(agent: Agent, url: URL, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, method: 'POST', path: '/v1/queue', headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function run(job: HonestJob): Promise<HonestResult> {
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.tokens.length });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const until = performance.now() + job.durationS * 1000;
  await Promise.all(
    job.tokens.map(async (token, i) => {
      // Spread the players over one interval, as real clients arrive.
      await new Promise((resolve) => setTimeout(resolve, (i * job.intervalMs) / job.tokens.length));
      while (performance.now() < until) {
        const sent = performance.now();
        try {
          const status = await post(agent, url, token);
          latencies.push(performance.now() - sent);
          statuses[status] = (statuses[status] ?? 0) + 1;
        } catch {
          errors++;
        }
        await new Promise((resolve) => setTimeout(resolve, job.intervalMs));
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length + errors, latencies, statuses, errors };
}

process.on('message', (message: { id: number; job: HonestJob }) => {
  run(message.job).then(
    (result) => process.send!({ id: message.id, result }),
    (error: unknown) => process.send!({ id: message.id, error: String(error) }),
  );
});
process.send!({ ready: true });
