import { defineConfig } from 'vitest/config';

// Every package writes a JSON report beside the console one, so `pnpm test` can print a single
// closing "N passed, N failed" line for the whole repository (scripts/test.mjs).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
