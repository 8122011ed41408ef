import { defineConfig } from 'vitest/config';

// One run for the whole repo: every package is a project, so `pnpm test` at the root
// runs them all in one process pool.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tools', 'test', 'bench'],
  },
});
