import { describe, expect, it } from 'vitest';
import { Problem } from './problem.ts';
import { bearerToken } from './validate.ts';

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof Problem ? `${error.status} ${error.code}` : String(error);
  }
  return undefined;
}

describe('bearerToken', () => {
  it('reads the scheme in any case, as RFC 9110 has it', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect(bearerToken(`${scheme} abc`), scheme).toBe('abc');
    }
  });

  it('still refuses other schemes, a scheme alone and a token without one', () => {
    for (const header of [undefined, 'Basic abc', 'bearer', 'bearer ', 'bearerabc', 'abc']) {
      expect(refusal(() => bearerToken(header)), String(header)).toBe('401 missing-token');
    }
  });
});
