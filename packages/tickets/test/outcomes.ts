// What a call did, captured instead of thrown, so properties can say "refused, and only with TicketError".
import { expect } from 'vitest';
import { TICKET_ERROR_CODES, TicketError, type TicketErrorCode } from '../src/errors.ts';

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export function outcomeOf<T>(run: () => T): Outcome<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** As `outcomeOf` for calls that may throw at once or return a promise (verifyOffThread). */
export async function settledOutcomeOf<T>(run: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Asserts a refusal by `TicketError` with a documented code (anything else escaping,
 * a RangeError or a SyntaxError, fails the property) and returns the code.
 */
export function refusalCode(outcome: Outcome<unknown>, allowed: readonly TicketErrorCode[] = TICKET_ERROR_CODES): TicketErrorCode {
  if (outcome.ok) expect.fail('accepted a token that should have been refused');
  if (!(outcome.error instanceof TicketError)) expect.fail(`threw ${String(outcome.error)} instead of a TicketError`);
  expect(allowed).toContain(outcome.error.code);
  return outcome.error.code;
}

/** Asserts a `TypeError` (a caller mistake), never a `TicketError`. */
export function expectTypeError(outcome: Outcome<unknown>): void {
  expect(outcome.ok).toBe(false);
  if (!outcome.ok) {
    expect(outcome.error).toBeInstanceOf(TypeError);
    expect(outcome.error).not.toBeInstanceOf(TicketError);
  }
}
