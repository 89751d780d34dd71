import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, SerializedError, TestModule, Vitest } from 'vitest/node';

/**
 * What one vitest run of one package wrote for the repository's closing line (scripts/test.mjs):
 * `.test-results/summary-<suite>.json` in the package, `suite` being `everyday` (the package's
 * `test` script) or `slow` (its `test:slow` script). A test script that is not vitest writes the
 * same file itself to be counted.
 */
export interface SuiteSummary {
  suite: string;
  passed: number;
  /** `test.fails` tests that failed as they should: known gaps, counted apart, never as passed. */
  expectedFailures: number;
  /** Failed tests, plus test files that could not even be loaded, plus unhandled errors. */
  failed: number;
  /** Skipped and todo tests (a tool a test needs may be missing: see tools.ts). */
  skipped: number;
  expectedFailureNames: string[];
  failedNames: string[];
}

export function summaryFile(packageDir: string, suite: string): string {
  return join(packageDir, '.test-results', `summary-${suite}.json`);
}

/** Counts every test of the run, keeping the expected failures apart from the passes. */
export class SummaryReporter implements Reporter {
  private root = process.cwd();

  constructor(private readonly suite: string) {}

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const summary: SuiteSummary = {
      suite: this.suite,
      passed: 0,
      expectedFailures: 0,
      failed: 0,
      skipped: 0,
      expectedFailureNames: [],
      failedNames: [],
    };
    for (const module of modules) {
      // A file that threw while loading (a missing tool under CI, a syntax error) has no tests.
      if (module.errors().length > 0) {
        summary.failed++;
        summary.failedNames.push(`${module.moduleId} (could not run: ${module.errors()[0]?.message ?? ''})`);
      }
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'failed') {
          summary.failed++;
          summary.failedNames.push(test.fullName);
        } else if (state === 'passed' && test.options.fails) {
          summary.expectedFailures++;
          summary.expectedFailureNames.push(test.fullName);
        } else if (state === 'passed') summary.passed++;
        else summary.skipped++;
      }
    }
    summary.failed += unhandledErrors.length;
    for (const error of unhandledErrors) summary.failedNames.push(`unhandled error: ${error.message}`);
    const file = summaryFile(this.root, this.suite);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  }
}
