import { configDefaults, defineConfig, type ViteUserConfig } from 'vitest/config';
import { SummaryReporter } from './packages/test-support/src/summary-reporter.ts';

/**
 * Two suites per package (the repository's convention, CONTRIBUTING.md "Tests"):
 * - everyday, `test/**\/*.test.ts` minus the slow ones: the package's `test` script (`pnpm test`);
 * - slow, `test/**\/*.slow.test.ts`: browsers, real shells, the fault matrix, pack-and-install,
 *   consumers in other languages; the package's `test:slow` script, run by `pnpm test:all`.
 * Each run writes a JSON report and a summary beside the console output, so the root runners can
 * print one closing line for the whole repository (scripts/test.mjs).
 */
export const SLOW_TESTS = 'test/**/*.slow.test.ts';

type Reporters = NonNullable<NonNullable<ViteUserConfig['test']>['reporters']>;

function reporters(suite: 'everyday' | 'slow'): Reporters {
  return [
    'default',
    ['json', { outputFile: `.test-results/vitest${suite === 'slow' ? '-slow' : ''}.json` }],
    new SummaryReporter(suite),
  ];
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, SLOW_TESTS],
    reporters: reporters('everyday'),
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});

/**
 * The slow suite of a package, from its everyday config (`vitest.slow.config.ts`:
 * `export default slowSuite(config)`): the same settings, only the slow files, and its own
 * reports. `overrides` holds what only the slow files need (a longer timeout, one file at a time,
 * slow files kept elsewhere than `test/**\/*.slow.test.ts`).
 */
export function slowSuite(config: ViteUserConfig, overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return {
    ...config,
    test: {
      ...config.test,
      ...overrides,
      include: overrides.include ?? [SLOW_TESTS],
      exclude: [...configDefaults.exclude],
      reporters: reporters('slow'),
    },
  };
}
