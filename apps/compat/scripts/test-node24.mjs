#!/usr/bin/env node
// The runtime matrix's second Node: runs the packages' test suites on Node 24 (the npm registry
// package `node@24`, whose install pulls the platform binary from the registry too).
//
//   node apps/compat/scripts/test-node24.mjs            spec, client, auth, mock-server, cli, redis, reliability,
//                                                        docs (each package's `test` and `test:slow`)
//                                                        + compat's pack-and-install and runtime tests
//   node apps/compat/scripts/test-node24.mjs packages/cli   only the suites named (repo-relative)
//   … --totals FILE                                      write the totals to FILE (JSON) instead of
//                                                        printing a closing line: `pnpm test:all`
//                                                        (scripts/test.mjs) prints one for both runs
//
// `pnpm test:all` runs it after the Node 20 run (.ci/run runs `pnpm test:all`); `pnpm test:node24`
// runs it alone.
// Expects `pnpm build` to have run. Node 24 is cached under apps/compat/node_modules/.cache, so
// a second run does not download it again. PATH starts with Node 24's bin directory, so child
// processes (the CLI's and mock-server's bins, npm, pnpm) run on it as well; a preload module
// (expect-node.mjs, via NODE_OPTIONS) stops any Node process of the run that is not Node 24.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MAJOR = process.env.TESTMAX_NODE_MAJOR ?? '24';
const compat = join(import.meta.dirname, '..');
const root = join(compat, '..', '..');
const cache = join(compat, 'node_modules', '.cache', `node${MAJOR}`);
const nodeBin = join(cache, 'node_modules', '.bin', 'node');

// Per suite, the package scripts to run (its everyday `test` and its `test:slow`, when it has
// them), each with an optional list of test files to narrow it to.
const BOTH = { test: [], 'test:slow': [] };
const SUITES = {
  // The spec's own checks (its lint rules), where the spec package has a test script.
  spec: BOTH,
  'packages/mock-server': BOTH,
  'packages/client': BOTH,
  'packages/auth': BOTH,
  'packages/cli': BOTH,
  // node-redis and the token stores against a real redis-server.
  'packages/redis': BOTH,
  // The fault matrix and fuzzing of auth, client and the CLI exercise the same runtime paths.
  'apps/reliability': BOTH,
  // The guide's examples run against the mock-server; the site test drives Chromium (/usr/bin/chromium).
  'apps/docs': BOTH,
  // The rest of compat (hygiene, browser, changesets) does not depend on the Node running it.
  'apps/compat': { test: ['test/runtime.test.ts'], 'test:slow': ['test/pack-install.slow.test.ts'] },
};
/** Where each script's vitest run writes its summary and its JSON report (vitest.shared.ts). */
const REPORTS = {
  test: { summary: 'summary-everyday.json', json: 'vitest.json' },
  'test:slow': { summary: 'summary-slow.json', json: 'vitest-slow.json' },
};

// Checks that must have run and passed in a suite, or the run fails: the proof that this run
// happened on the Node it claims (test/runtime.test.ts compares process.version with
// TESTMAX_EXPECT_NODE_MAJOR, which only this runner sets).
const MUST_PASS = {
  'apps/compat': [`runs on Node ${MAJOR}, the major this matrix run asked for`],
};

const argv = process.argv.slice(2);
const totalsAt = argv.indexOf('--totals');
const totalsFile = totalsAt === -1 ? undefined : argv[totalsAt + 1];
if (totalsAt !== -1 && !totalsFile) fail('--totals needs a file name');
const wanted = totalsAt === -1 ? argv : argv.filter((_, i) => i !== totalsAt && i !== totalsAt + 1);
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

const totals = { passed: 0, expectedFailures: 0, failed: 0, skipped: 0 };
const failedNames = [];
const broken = [];
const passed = new Map(); // suite → titles of the passed tests, for MUST_PASS
for (const suite of suites) {
  const dir = join(root, suite);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const [name, files] of Object.entries(SUITES[suite])) {
    // The package's own command (e.g. `vitest run --typecheck`), minus `vitest run`.
    const script = manifest.scripts?.[name];
    if (script === undefined) continue;
    if (!script.startsWith('vitest run'))
      fail(`${suite}: its ${name} script is not "vitest run …": ${script}`);
    if (!hasTests(join(dir, 'test'))) {
      broken.push(`${suite} (no test files)`);
      continue;
    }
    // vitest.shared.ts names the reports; this run replaces the ones of the Node 20 run.
    const summaryFile = join(dir, '.test-results', REPORTS[name].summary);
    const report = join(dir, '.test-results', REPORTS[name].json);
    rmSync(summaryFile, { force: true });
    rmSync(report, { force: true });
    console.log(`\n::: ${suite} (${name}) on Node ${version}`);
    const result = spawnSync(
      nodeBin,
      [
        vitestEntry(dir),
        'run',
        ...script.slice('vitest run'.length).trim().split(/\s+/).filter(Boolean),
        ...files,
      ],
      { cwd: dir, env, stdio: 'inherit' },
    );
    if (existsSync(summaryFile)) {
      const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
      for (const key of Object.keys(totals)) totals[key] += summary[key];
      failedNames.push(...summary.failedNames.map((test) => `${suite}: ${test} (Node ${version})`));
    } else {
      broken.push(`${suite} ${name} (no summary at ${summaryFile})`);
    }
    if (existsSync(report)) {
      passed.set(suite, [
        ...(passed.get(suite) ?? []),
        ...passedTitles(JSON.parse(readFileSync(report, 'utf8'))),
      ]);
    }
    if (result.status !== 0) broken.push(`${suite} ${name}`);
  }
  for (const title of MUST_PASS[suite] ?? []) {
    if (!(passed.get(suite) ?? []).some((name) => name.includes(title))) {
      broken.push(`${suite} (the check "${title}" did not run and pass)`);
    }
  }
}

if (broken.length > 0) failedNames.push(...broken.map((what) => `${what} (Node ${version})`));
if (totalsFile) {
  const failed = totals.failed + (broken.length > 0 && totals.failed === 0 ? 1 : 0);
  mkdirSync(dirname(totalsFile), { recursive: true });
  writeFileSync(
    totalsFile,
    `${JSON.stringify({ runtime: `Node ${MAJOR}`, ...totals, failed, failedNames }, null, 2)}\n`,
  );
} else {
  const expected = `${totals.expectedFailures} expected failure${totals.expectedFailures === 1 ? '' : 's'}`;
  console.log(
    `\nNode ${version}: ${totals.passed} passed, ${expected}, ${totals.failed} failed, ${totals.skipped} skipped` +
      (broken.length > 0 ? ` — failing: ${broken.join(', ')}` : ''),
  );
}
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
