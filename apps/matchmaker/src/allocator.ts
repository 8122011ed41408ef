// The game-server allocation hook: one POST per ready match to ALLOCATOR_URL, idempotent on the
// match id, retried with capped backoff. The contract is in docs/game-servers.md.
import { assignmentDetails, connectAddress } from '@ticketbooth/tickets';
import { z } from 'zod';
import type { Match } from './results.ts';

export interface AllocatorOptions {
  readonly url: string;
  /** Deadline of one attempt. */
  readonly timeoutMs: number;
  /** Attempts in all before the match is cancelled. */
  readonly attempts: number;
  /** Longest wait between two attempts. */
  readonly maxBackoffMs: number;
  readonly fetch?: typeof fetch;
  /** Waits between attempts; injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface Allocation {
  readonly connect: string;
  readonly details?: Readonly<Record<string, string | number | boolean>> | undefined;
}

/** Why an allocation was given up; `attempts` made. */
export class AllocationFailed extends Error {
  override readonly name = 'AllocationFailed';
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
  }
}

const answerSchema = z.object({ connect: connectAddress, details: assignmentDetails.optional() });
/** An answer larger than this is garbage, not connection details. */
const MAX_ANSWER_BYTES = 16_384;
/** Statuses that may pass: anything else in 4xx means the allocator refuses this match for good. */
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

/**
 * @example
 * const allocate = createAllocator({ url: 'http://127.0.0.1:8702/v1/allocations', timeoutMs: 3000, attempts: 4, maxBackoffMs: 2000 });
 * const { connect } = await allocate(match); // throws AllocationFailed after the last attempt
 */
export function createAllocator(options: AllocatorOptions): (match: Match) => Promise<Allocation> {
  const fetchImpl = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function attempt(match: Match): Promise<{ allocation?: Allocation; retry: boolean; reason: string }> {
    let response: Response;
    try {
      response = await fetchImpl(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': match.id },
        body: JSON.stringify({ matchId: match.id, pool: match.pool, teams: match.teams, match: match.token }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      return { retry: true, reason: error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : 'unreachable' };
    }
    let text: string;
    try {
      text = await readLimited(response, MAX_ANSWER_BYTES);
    } catch (error) {
      return { retry: true, reason: error instanceof Error ? error.message : 'unreadable answer' };
    }
    if (!response.ok) {
      const retry = response.status >= 500 || RETRYABLE_4XX.has(response.status);
      return { retry, reason: `answered ${response.status}` };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { retry: true, reason: 'answer is not JSON' };
    }
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success) return { retry: true, reason: `answer has no valid connect: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
    return { allocation: parsed.data, retry: false, reason: 'ok' };
  }

  return async function allocate(match) {
    let reason = 'not tried';
    for (let tried = 1; tried <= options.attempts; tried++) {
      const outcome = await attempt(match);
      if (outcome.allocation !== undefined) return outcome.allocation;
      reason = outcome.reason;
      if (!outcome.retry) throw new AllocationFailed(`allocator ${reason}`, tried);
      if (tried < options.attempts) {
        const capped = Math.min(options.maxBackoffMs, 100 * 2 ** (tried - 1));
        await sleep(capped / 2 + random() * (capped / 2));
      }
    }
    throw new AllocationFailed(`allocator ${reason} (${options.attempts} attempts)`, options.attempts);
  };
}

/** The body as text, refusing to buffer more than `limit` bytes (a hostile allocator could stream forever). */
async function readLimited(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new Error(`answer larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
