// Usernames and passwords: one normalisation, used by registration, login and the CLI.
import { z } from 'zod';

export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 256;
export const PASSWORD_MAX_BYTES = 1024;

/** NFKC then lower case: "Ａlice" and "ALICE" are the same account. Undefined if not a valid name. */
export function normalizeUsername(raw: string): string | undefined {
  const name = raw.normalize('NFKC').toLowerCase();
  return USERNAME_PATTERN.test(name) ? name : undefined;
}

/** NFKC, so the same password typed on another keyboard or OS still matches. */
export function normalizePassword(raw: string): string {
  return raw.normalize('NFKC');
}

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  const chars = [...password].length;
  if (chars < PASSWORD_MIN_CHARS) return `at least ${PASSWORD_MIN_CHARS} characters`;
  if (chars > PASSWORD_MAX_CHARS) return `at most ${PASSWORD_MAX_CHARS} characters`;
  if (Buffer.byteLength(password) > PASSWORD_MAX_BYTES) return `at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`;
  return undefined;
}

/** A username as registered: normalised, then checked. */
export const newUsername = z
  .string()
  .max(128)
  .transform((s) => s.normalize('NFKC').toLowerCase())
  .pipe(z.string().regex(USERNAME_PATTERN, '3-32 characters: a-z, 0-9, "_", "." or "-"'))
  .meta({ description: 'Normalised with NFKC and lower-cased, then 3-32 of [a-z0-9_.-]; unique regardless of case.' });

/** A password as chosen: normalised, then bounded in characters and bytes. */
export const newPassword = z
  .string()
  .max(PASSWORD_MAX_BYTES)
  .transform(normalizePassword)
  .superRefine((password, ctx) => {
    const problem = passwordProblem(password);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ description: `NFKC-normalised; ${PASSWORD_MIN_CHARS}-${PASSWORD_MAX_CHARS} characters, at most ${PASSWORD_MAX_BYTES} bytes.` });

/**
 * Login input is only bounded, never format-checked: a name that could not
 * exist gets the same 401 (after the same hashing cost) as a wrong password.
 */
export const loginUsername = z.string().min(1).max(128);
export const loginPassword = z.string().min(1).max(PASSWORD_MAX_BYTES);
