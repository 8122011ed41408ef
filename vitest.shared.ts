import { defineProject } from 'vitest/config';

/** Project config every package extends: resolve workspace packages to their TypeScript sources. */
export function ticketboothProject(name: string) {
  return defineProject({
    resolve: { conditions: ['@ticketbooth/source'] },
    ssr: { resolve: { conditions: ['@ticketbooth/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', '*.test.ts'],
      environment: 'node',
      testTimeout: 20_000,
    },
  });
}
