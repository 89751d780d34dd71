import { defineConfig } from 'vitest/config';

// `pnpm --filter @testmax/consumers test:slow`, part of the complete run (`pnpm test:all`,
// `.ci/run`): generators, compilers and other languages against the simulator behind Prism.
// One file at a time: each starts Prism and compilers, and the machine has two cores.
export default defineConfig({
  test: {
    include: ['slow/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/vitest-slow.json' }]],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
