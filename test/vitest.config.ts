import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@ticketbooth/source'] },
  ssr: { resolve: { conditions: ['@ticketbooth/source'] } },
  test: {
    name: 'e2e',
    include: ['*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
