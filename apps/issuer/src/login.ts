// Shared by login, registration and password change: attempt limits, the one 401, timing metrics.
import { Problem } from '@ticketbooth/http';
import { takeLoginAttempt } from './attempt-limits.ts';
import type { IssuerContext } from './context.ts';

/** The same body for an unknown user and a wrong password, so neither can be told apart. */
export function invalidCredentials(): Problem {
  return new Problem(401, 'invalid-credentials', 'Invalid username or password');
}

/**
 * Counts one attempt against the username (when given) and the client
 * address; 429 with Retry-After (seconds) when either is over its limit.
 * Nothing is counted for a refused attempt.
 */
export async function checkLoginLimits(ctx: IssuerContext, username: string | undefined, address: string): Promise<void> {
  const decision = await takeLoginAttempt(ctx.loginLimits, username, address);
  if (!decision.allowed) {
    const seconds = Math.ceil(decision.retryAfterMs / 1000);
    throw new Problem(429, 'too-many-attempts', 'Too many attempts', `retry in ${seconds} s`, { 'retry-after': String(seconds) });
  }
}

/** Runs a password operation and records how long it took. */
export async function timed<T>(ctx: IssuerContext, operation: 'hash' | 'verify', work: () => Promise<T>): Promise<T> {
  const stop = ctx.metrics.passwordSeconds.startTimer({ operation });
  try {
    return await work();
  } finally {
    stop();
  }
}
