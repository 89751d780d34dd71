#!/usr/bin/env node
// The runtime matrix's second Node: runs the packages' test suites on Node 24 (the npm registry
// package `node@24`, whose install pulls the platform binary from the registry too).
//
//   node apps/compat/scripts/test-node24.mjs            spec, client, auth, mock-server, cli, redis, reliability,
//                                                        docs + compat's pack-and-install and runtime tests
//   node apps/compat/scripts/test-node24.mjs packages/cli   only the suites named (repo-relative)
//
// CI runs it after the README's `pnpm test` (.ci/run; `pnpm test:node24` from the root).
// Expects `pnpm build` to have run. Node 24 is cached under apps/compat/node_modules/.cache, so
// a second run does not download it again. PATH starts with Node 24's bin directory, so child
// processes (the CLI's and mock-server's bins, npm, pnpm) run on it as well; a preload module
// (expect-node.mjs, via NODE_OPTIONS) stops any Node process of the run that is not Node 24.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MAJOR = process.env.TESTMAX_NODE_MAJOR ?? '24';
const compat = join(import.meta.dirname, '..');
const root = join(compat, '..', '..');
const cache = join(compat, 'node_modules', '.cache', `node${MAJOR}`);
const nodeBin = join(cache, 'node_modules', '.bin', 'node');

const SUITES = {
  // The spec's own checks (its lint rules), where the spec package has a test script.
  spec: [],
  'packages/mock-server': [],
  'packages/client': [],
  'packages/auth': [],
  'packages/cli': [],
  // node-redis and the token stores against a real redis-server.
  'packages/redis': [],
  // The fault matrix and fuzzing of auth, client and the CLI exercise the same runtime paths.
  'apps/reliability': [],
  // The guide's examples run against the mock-server; the site test drives Chromium (/usr/bin/chromium).
  'apps/docs': [],
  // The rest of compat (hygiene, browser, changesets) does not depend on the Node running it.
  'apps/compat': ['test/pack-install.test.ts', 'test/runtime.test.ts'],
};

// Checks that must have run and passed in a suite, or the run fails: the proof that this run
// happened on the Node it claims (test/runtime.test.ts compares process.version with
// TESTMAX_EXPECT_NODE_MAJOR, which only this runner sets).
const MUST_PASS = {
  'apps/compat': [`runs on Node ${MAJOR}, the major this matrix run asked for`],
};

const wanted = process.argv.slice(2);
for (const suite of wanted) {
  if (!(suite in SUITES)) fail(`unknown suite "${suite}"; known: ${Object.keys(SUITES).join(', ')}`);
}
// A suite whose package is not in this checkout (yet), or has no test script, is named, not
// silently dropped.
const suites = (wanted.length > 0 ? wanted : Object.keys(SUITES)).filter((suite) => {
  const manifest = join(root, suite, 'package.json');
  if (!existsSync(manifest)) {
    console.warn(`::: skipping ${suite}: not in this checkout`);
    return false;
  }
  if (JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test === undefined) {
    console.warn(`::: skipping ${suite}: its package.json has no test script`);
    return false;
  }
  return true;
});

const version = ensureNode();
console.log(`::: tests on Node ${version} (${nodeBin})`);

const env = {
  ...process.env,
  PATH: `${dirname(nodeBin)}${delimiter}${process.env.PATH ?? ''}`,
  TESTMAX_EXPECT_NODE_MAJOR: MAJOR,
  NODE_OPTIONS: [
    process.env.NODE_OPTIONS,
    `--import=${pathToFileURL(join(import.meta.dirname, 'expect-node.mjs'))}`,
  ]
    .filter(Boolean)
    .join(' '),
};

const totals = { passed: 0, failed: 0, skipped: 0 };
const broken = [];
for (const suite of suites) {
  const dir = join(root, suite);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  // The package's own test command (e.g. `vitest run --typecheck`), minus `vitest run`.
  const script = manifest.scripts?.test ?? '';
  if (!script.startsWith('vitest run')) fail(`${suite}: its test script is not "vitest run …": ${script}`);
  if (!hasTests(join(dir, 'test'))) {
    broken.push(`${suite} (no test files)`);
    continue;
  }
  // vitest.shared.ts names the JSON report; this run replaces the one of the Node 20 run.
  const report = join(dir, '.test-results', 'vitest.json');
  rmSync(report, { force: true });
  console.log(`\n::: ${suite} on Node ${version}`);
  const result = spawnSync(
    nodeBin,
    [
      vitestEntry(dir),
      'run',
      ...script.slice('vitest run'.length).trim().split(/\s+/).filter(Boolean),
      ...SUITES[suite],
    ],
    { cwd: dir, env, stdio: 'inherit' },
  );
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += json.numPassedTests;
    totals.failed += json.numFailedTests;
    totals.skipped += json.numPendingTests + json.numTodoTests;
    for (const title of MUST_PASS[suite] ?? []) {
      if (!passedTitles(json).some((passed) => passed.includes(title))) {
        broken.push(`${suite} (the check "${title}" did not run and pass)`);
      }
    }
  } else {
    broken.push(`${suite} (no JSON report at ${report})`);
  }
  if (result.status !== 0) broken.push(suite);
}

console.log(
  `\nNode ${version}: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped` +
    (broken.length > 0 ? ` — failing: ${broken.join(', ')}` : ''),
);
process.exit(broken.length > 0 || totals.failed > 0 ? 1 : 0);

/** Install node@MAJOR from the npm registry into the cache unless it is there; return its version. */
function ensureNode() {
  const current = () =>
    spawnSync(nodeBin, ['-p', 'process.version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  if (existsSync(nodeBin) && current().startsWith(`v${MAJOR}.`)) return current();
  console.log(`::: installing node@${MAJOR} from the npm registry into ${cache}`);
  const install = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      cache,
      `node@${MAJOR}`,
      '--no-audit',
      '--no-fund',
      '--no-save',
      // The `node` package's install script fetches the platform binary: never skip it, whatever
      // npm_config_ignore_scripts the machine has.
      '--ignore-scripts=false',
      '--loglevel=error',
    ],
    { stdio: 'inherit' },
  );
  if (install.status !== 0) fail(`npm install node@${MAJOR} failed (exit ${install.status})`);
  const installed = current();
  if (!installed.startsWith(`v${MAJOR}.`)) {
    fail(`${nodeBin} reports "${installed}", not Node ${MAJOR}: did the node package's install script run?`);
  }
  return installed;
}

function vitestEntry(dir) {
  for (let at = dir; ; at = dirname(at)) {
    const entry = join(at, 'node_modules', 'vitest', 'vitest.mjs');
    if (existsSync(entry)) return entry;
    if (at === root || dirname(at) === at) fail(`vitest is not installed for ${dir}: run pnpm install`);
  }
}

/** Full names of the passed tests in a vitest JSON report. */
function passedTitles(report) {
  return (report.testResults ?? []).flatMap((file) =>
    (file.assertionResults ?? [])
      .filter((test) => test.status === 'passed')
      .map((test) => test.fullName ?? test.title ?? ''),
  );
}

function hasTests(dir) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true }).some((file) => String(file).endsWith('.test.ts'));
}

function fail(message) {
  console.error(`test-node24: ${message}`);
  process.exit(2);
}
