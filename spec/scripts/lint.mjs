#!/usr/bin/env node
// `redocly lint` exits 0 when it finds only warnings, but the spec promises zero problems of any
// severity. Lint each file with --format=json and fail on any error or warning; config problems
// (an unknown rule in redocly.yaml) count too. Usage: node scripts/lint.mjs <file>...
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const cli = join(
  dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')),
  'bin',
  'cli.js',
);
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/lint.mjs <file>...');
  process.exit(2);
}

let errors = 0;
let warnings = 0;
for (const file of files) {
  const run = spawnSync(process.execPath, [cli, 'lint', file, '--format=json', '--lint-config=error'], {
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    // No JSON means redocly failed before linting (a missing file, a broken config).
    console.error(`${file}: redocly lint failed (exit ${run.status}):\n${run.stderr.trim()}`);
    process.exit(1);
  }
  for (const problem of report.problems) {
    const where = problem.location?.[0];
    const line = where?.start?.line ?? '?';
    const col = where?.start?.col ?? '?';
    console.log(`${file}:${line}:${col}  ${problem.severity}  ${problem.ruleId}  ${problem.message}`);
  }
  errors += report.totals.errors;
  warnings += report.totals.warnings;
  // Belt and braces: a failing exit without counted problems is still a failure.
  if (run.status !== 0 && report.totals.errors === 0) errors += 1;
}
console.log(`redocly lint: ${errors} errors, ${warnings} warnings in ${files.length} file(s)`);
process.exit(errors + warnings === 0 ? 0 : 1);
