// argon2id password hashing on @node-rs/argon2's own thread pool, off the event loop.
import { hash, verify, type Algorithm } from '@node-rs/argon2';

export interface Argon2Params {
  /** KiB of memory per hash. */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id option 2: m=19 MiB, t=2, p=1. */
export const OWASP_ARGON2ID: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// The package declares its enum `const`, which isolated modules cannot inline; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash that cannot be read. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /**
   * Spends what a real verification costs and returns false: for logins of
   * unknown users, so their timing matches a wrong password.
   */
  verifyDummy(password: string): Promise<false>;
}

/**
 * @example
 * const passwords = createPasswordHasher(); // OWASP cost; tests pass a cheaper one
 * const stored = await passwords.hash('correct horse');
 */
export function createPasswordHasher(params: Argon2Params = OWASP_ARGON2ID): PasswordHasher {
  const options = { ...params, algorithm: ARGON2ID };
  // Hashed up front with the same parameters, so even the first unknown-user login costs one verification, like any other.
  const dummy = hash('ticketbooth dummy password', options);
  dummy.catch(() => undefined);

  async function check(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  return {
    hash: (password) => hash(password, options),
    verify: check,
    async verifyDummy(password) {
      await check(await dummy, password);
      return false;
    },
  };
}
