#!/usr/bin/env node
// The repository's two test runs, each ending with ONE closing line summed from every package's
// vitest summary (packages/test-support/src/summary-reporter.ts):
//
//   pnpm test        node scripts/test.mjs          the everyday run: every package's `test`
//                                                   script (unit, integration against the
//                                                   simulator, contract), a few minutes
//   pnpm test:all    node scripts/test.mjs --all    the complete run: every package's `test` and
//                                                   `test:slow` scripts (browsers, real shells,
//                                                   the fault matrix, pack-and-install, consumers
//                                                   in other languages), then the same suites
//                                                   on Node 24 (apps/compat/scripts/test-node24.mjs)
//   pnpm test:slow   node scripts/test.mjs --slow   only the `test:slow` scripts, on this Node
//
// Other arguments go to turbo (`pnpm test --filter @testmax/cli`). Nothing is installed here: the
// system tools some suites need come from `pnpm test:setup`; a suite whose tool is missing skips
// loudly on a laptop and fails under CI=true (packages/test-support/src/tools.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT as root, workspacePackages } from './workspace.mjs';

const started = performance.now();
const args = process.argv.slice(2);
const all = args.includes('--all');
const slowOnly = args.includes('--slow');
const turboArgs = args.filter((arg) => arg !== '--all' && arg !== '--slow');

const workspace = workspacePackages();
const packages = workspace.map(({ dir }) => dir);
const results = (dir) => join(root, dir, '.test-results');
for (const dir of packages) {
  for (const name of ['summary-everyday.json', 'summary-slow.json', 'missing-tools']) {
    rmSync(join(results(dir), name), { recursive: true, force: true });
  }
}

// No --force: that would also re-run the cached `build`/`codegen` tasks the tests depend on.
// The test tasks have `"cache": false` in turbo.json, so they always run.
// --continue=dependencies-successful: one failing suite does not cancel the others, so the
// closing line counts every suite whose build succeeded; the exit code still fails.
// Concurrency 2 for the everyday run: two packages' suites share the machine's cores (most of
// their time is spent waiting on the processes and servers they start). The slow suites run
// one package at a time: the fault matrix injects timeouts that a starved machine would turn
// into real ones.
const turbo = (tasks, concurrency) =>
  spawnSync(
    'pnpm',
    [
      'exec',
      'turbo',
      'run',
      ...tasks,
      `--concurrency=${concurrency}`,
      '--continue=dependencies-successful',
      ...turboArgs,
    ],
    { cwd: root, stdio: 'inherit' },
  ).status ?? 1;

let status = slowOnly ? 0 : turbo(['test'], 2);
if (all || slowOnly) status = turbo(['test:slow'], 1) || status;

const suites = [...(slowOnly ? [] : ['everyday']), ...(all || slowOnly ? ['slow'] : [])];
const node20 = collect(suites);

let node24;
if (all && turboArgs.length === 0) {
  const summary = join(root, 'apps', 'compat', '.test-results', 'node24-totals.json');
  rmSync(summary, { force: true });
  const run = spawnSync(
    process.execPath,
    [join(root, 'apps', 'compat', 'scripts', 'test-node24.mjs'), '--totals', summary],
    { cwd: root, stdio: 'inherit' },
  );
  status = run.status || status;
  node24 = existsSync(summary)
    ? JSON.parse(readFileSync(summary, 'utf8'))
    : { runtime: 'Node 24', passed: 0, expectedFailures: 0, failed: 1, skipped: 0, failedNames: [] };
}

const runs = [node20, ...(node24 ? [node24] : [])];
const total = sum(runs);
if (status !== 0 && total.failed === 0) total.failed = 1; // a suite that crashed before reporting still fails

console.log('');
const failedNames = runs.flatMap((run) => run.failedNames);
if (failedNames.length > 0) {
  console.log(`failing (${failedNames.length}):`);
  for (const name of failedNames.slice(0, 30)) console.log(`  ✗ ${name}`);
  if (failedNames.length > 30) console.log(`  … and ${failedNames.length - 30} more`);
}
if (node20.unreported.length > 0 && turboArgs.length === 0) {
  console.log(`no test summary from: ${node20.unreported.join(', ')} (crashed, or its build failed)`);
}
if (node20.missingTools.length > 0) {
  console.log(
    `⚠ skipped for lack of a tool: ${node20.missingTools.join(', ')}. Run \`pnpm test:setup\` to install them.`,
  );
}
const breakdown =
  runs.length > 1 ? ` (${runs.map((run) => `${run.runtime}: ${counts(run)}`).join('; ')})` : '';
const label = all ? 'all tests' : slowOnly ? 'slow tests' : 'tests';
console.log(`${label}: ${counts(total)}${breakdown} in ${duration()}`);
process.exit(status === 0 && total.failed === 0 ? 0 : 1);

/** The summaries the given suites wrote, summed, with the packages that wrote none. */
function collect(names) {
  const run = {
    runtime: `Node ${process.versions.node.split('.')[0]}`,
    passed: 0,
    expectedFailures: 0,
    failed: 0,
    skipped: 0,
    failedNames: [],
    unreported: [],
    missingTools: [],
  };
  for (const { dir, manifest } of workspace) {
    const scripts = manifest.scripts ?? {};
    for (const suite of names) {
      const script = suite === 'everyday' ? 'test' : 'test:slow';
      const file = join(results(dir), `summary-${suite}.json`);
      if (!existsSync(file)) {
        if (scripts[script]) run.unreported.push(`${dir} (${script})`);
        continue;
      }
      const summary = JSON.parse(readFileSync(file, 'utf8'));
      run.passed += summary.passed;
      run.expectedFailures += summary.expectedFailures;
      run.failed += summary.failed;
      run.skipped += summary.skipped;
      run.failedNames.push(...summary.failedNames.map((name) => `${dir}: ${name}`));
    }
    const missing = join(results(dir), 'missing-tools');
    if (existsSync(missing)) {
      for (const tool of readdirSync(missing)) run.missingTools.push(`${tool} (${dir})`);
    }
  }
  return run;
}

function sum(list) {
  const total = { passed: 0, expectedFailures: 0, failed: 0, skipped: 0 };
  for (const run of list) for (const key of Object.keys(total)) total[key] += run[key];
  return total;
}

function counts({ passed, expectedFailures, failed, skipped }) {
  const expected = `${expectedFailures} expected failure${expectedFailures === 1 ? '' : 's'}`;
  return `${passed} passed, ${expected}, ${failed} failed, ${skipped} skipped`;
}

function duration() {
  const seconds = Math.round((performance.now() - started) / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
