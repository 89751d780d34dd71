#!/usr/bin/env node
// The README's test command: runs every package's tests through turbo, then prints one closing
// line for the whole repository, summed from each package's vitest JSON report.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
// The workspace globs of pnpm-workspace.yaml: spec, packages/*, apps/*.
const packages = [
  'spec',
  ...['packages', 'apps'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`)),
];
const reports = packages.map((dir) => join(root, dir, '.test-results', 'vitest.json'));
for (const report of reports) rmSync(report, { force: true });

ensureChromium();

// The docs and browser-smoke tests drive Debian's Chromium (no browser downloads are possible
// here). Install it when missing and we can; otherwise those tests fail with a clear message.
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.warn('Chromium is missing: run `sudo apt-get install -y chromium` for the browser tests.');
    return;
  }
  console.log('Installing Debian Chromium for the browser tests…');
  spawnSync(
    'sh',
    ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'],
    {
      stdio: 'inherit',
    },
  );
}

const turbo = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'test', '--force', '--concurrency=1', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

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
