#!/usr/bin/env node
// The README's test command: runs every package's tests through turbo, then prints one closing
// line for the whole repository, summed from each package's vitest JSON report.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const packages = ['spec', 'packages/client', 'packages/auth', 'packages/cli', 'packages/mock-server', 'apps/docs'];
const reports = packages.map((dir) => join(root, dir, '.test-results', 'vitest.json'));
for (const report of reports) rmSync(report, { force: true });

const turbo = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--force', '--concurrency=1', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});

let passed = 0;
let failed = 0;
let skipped = 0;
for (const report of reports) {
  if (!existsSync(report)) continue;
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
}
if (turbo.status !== 0 && failed === 0) failed = 1; // a suite that crashed before reporting still fails
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(turbo.status ?? 1);
