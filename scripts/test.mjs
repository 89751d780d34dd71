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

ensureTestTools();

// Tools some suites drive, from Debian (no browser or shell downloads are possible here):
// Chromium for the docs and browser-smoke tests, zsh, fish and bash-completion for the CLI's
// completion tests (which would otherwise skip, saying so). Install what is missing when we
// can; otherwise say what to install.
function ensureTestTools() {
  const tools = [
    ['chromium', '/usr/bin/chromium'],
    ['zsh', '/usr/bin/zsh'],
    ['fish', '/usr/bin/fish'],
    ['bash-completion', '/usr/share/bash-completion/bash_completion'],
  ];
  const missing = tools.filter(([, path]) => !existsSync(path)).map(([name]) => name);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.warn(`Missing for some tests: run \`sudo apt-get install -y ${missing.join(' ')}\`.`);
    return;
  }
  console.log(`Installing from Debian for the tests: ${missing.join(', ')}…`);
  spawnSync(
    'sh',
    [
      '-c',
      `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`,
    ],
    { stdio: 'inherit' },
  );
}

// No --force: that would also re-run the cached `build`/`codegen` tasks `test` depends on (a second
// docs build in CI). The `test` task itself has `"cache": false` in turbo.json, so it always runs.
// --continue=dependencies-successful: one failing suite does not cancel the others (turbo's default),
// so the closing line counts every suite whose build succeeded; the exit code still fails.
const turbo = spawnSync(
  'pnpm',
  [
    'exec',
    'turbo',
    'run',
    'test',
    '--concurrency=1',
    '--continue=dependencies-successful',
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const unreported = [];
for (const [index, report] of reports.entries()) {
  if (!existsSync(report)) {
    const manifest = join(root, packages[index], 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) {
      unreported.push(packages[index]);
    }
    continue;
  }
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
}
if (turbo.status !== 0 && failed === 0) failed = 1; // a suite that crashed before reporting still fails
if (turbo.status !== 0 && process.argv.length <= 2 && unreported.length > 0) {
  console.log(`\nno test report from: ${unreported.join(', ')} (crashed, or its build failed)`);
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(turbo.status ?? 1);
