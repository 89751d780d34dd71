#!/usr/bin/env node
// Package hygiene for what we publish: packs each package with pnpm (as `pnpm publish` would),
// then runs publint and @arethetypeswrong/cli on the tarball and checks the package.json fields
// users and registries rely on.
//
//   node scripts/lint-packages.mjs                    all five packages
//   node scripts/lint-packages.mjs @testmax/client    just the ones named
//   node scripts/lint-packages.mjs --dir <path>       any package directory
//
// attw runs with `--profile esm-only`: the packages are ESM-only on purpose (Node >= 20.19
// loads them with `require()` too, which test/pack-install.slow.test.ts proves on the real tarballs),
// so attw's CommonJS resolution modes (node10, node16-from-CJS) would only report that ESM-only
// design. Every other attw problem fails the check.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const here = import.meta.dirname;
const root = join(here, '..', '..', '..');
const published = JSON.parse(readFileSync(join(here, '..', 'published.json'), 'utf8'));

const args = process.argv.slice(2);
// --dir <path>: lint any package directory the same way (the tests use it to prove that a broken
// package fails).
const adHoc = [];
const wanted = [];
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--dir') {
    i += 1;
    const dir = resolve(args[i] ?? '');
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    adHoc.push({ name, dir, builtMarker: 'package.json' });
  } else {
    wanted.push(args[i]);
  }
}
const unknown = wanted.filter((name) => !published.some((pkg) => pkg.name === name));
if (unknown.length > 0) {
  console.error(`unknown package: ${unknown.join(', ')} (known: ${published.map((p) => p.name).join(', ')})`);
  process.exit(2);
}
const selected =
  wanted.length > 0 || adHoc.length > 0
    ? [...published.filter((pkg) => wanted.includes(pkg.name)), ...adHoc]
    : published;

const packDir = mkdtempSync(join(tmpdir(), 'testmax-lint-'));
let failures = 0;
try {
  for (const pkg of selected) {
    const problems = lint(pkg);
    if (problems.length === 0) {
      console.log(`ok   ${pkg.name}`);
    } else {
      failures += 1;
      console.log(`FAIL ${pkg.name}\n${problems.map((line) => `  - ${line}`).join('\n')}`);
    }
  }
} finally {
  rmSync(packDir, { recursive: true, force: true });
}
console.log(
  `\n${selected.length - failures} of ${selected.length} packages pass publint, attw and the field checks`,
);
process.exit(failures > 0 ? 1 : 0);

function lint(pkg) {
  const dir = resolve(root, pkg.dir);
  if (!existsSync(join(dir, pkg.builtMarker)))
    return [`not built (${pkg.builtMarker} missing): run pnpm build`];
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const packed = spawnSync('pnpm', ['pack', '--pack-destination', packDir, '--json'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (packed.status !== 0) return [`pnpm pack failed:\n${packed.stdout}${packed.stderr}`];
  const { filename } = JSON.parse(packed.stdout);
  const files = execFileSync('tar', ['-tzf', filename], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));

  const problems = [...checkFields(pkg, manifest, files)];
  const publint = tool('publint', ['run', filename, '--strict']);
  if (publint.status !== 0) problems.push(`publint:\n${indent(publint.output)}`);
  const attw = tool('@arethetypeswrong/cli', [
    filename,
    '--profile',
    'esm-only',
    '--format',
    'table-flipped',
  ]);
  if (attw.status !== 0) problems.push(`attw --profile esm-only:\n${indent(attw.output)}`);
  // A package that ships code must ship types for it; attw passes an untyped package silently.
  if (hasCodeEntryPoints(manifest) && /does not contain types/.test(attw.output)) {
    problems.push('attw: the package exports JavaScript but no types');
  }
  return problems;
}

function checkFields(pkg, manifest, files) {
  const problems = [];
  const need = (ok, message) => {
    if (!ok) problems.push(message);
  };
  need(manifest.private !== true, 'is private');
  need(manifest.type === 'module', '"type" must be "module" (the packages are ESM-only)');
  need(typeof manifest.license === 'string' && manifest.license.length > 0, '"license" must be set');
  need(Array.isArray(manifest.keywords) && manifest.keywords.length > 0, '"keywords" missing');
  need(
    manifest.repository?.url?.includes('github.com') && manifest.repository.directory === pkg.dir,
    `"repository" must name the repo and "directory": "${pkg.dir}"`,
  );
  need(manifest.engines?.node === '>=20.19', '"engines.node" must be ">=20.19"');
  need(manifest.publishConfig?.access === 'public', '"publishConfig.access" must be "public"');
  need(Array.isArray(manifest.files), '"files" must list what is published');
  need(files.includes('README.md'), 'README.md is not in the tarball');
  need(files.includes('package.json'), 'package.json is not in the tarball');
  need(
    !files.some((path) => /(^|\/)(test|\.test-results|node_modules)\//.test(path)),
    'tests leak into the tarball',
  );
  need(!files.some((path) => /\.tsbuildinfo$|(^|\/)\.env$/.test(path)), 'build state or .env in the tarball');
  need(manifest.exports?.['./package.json'] === './package.json', '"exports" should expose ./package.json');
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    for (const problem of checkConditions(target)) problems.push(`exports["${subpath}"]: ${problem}`);
  }
  if (hasCodeEntryPoints(manifest)) {
    need(
      manifest.sideEffects === false,
      '"sideEffects": false (importing the library does nothing on its own)',
    );
    need(
      typeof manifest.types === 'string' && files.includes(manifest.types.replace(/^\.\//, '')),
      '"types" fallback',
    );
  }
  for (const [name, target] of Object.entries(manifest.bin ?? {})) {
    const path = target.replace(/^\.\//, '');
    need(files.includes(path), `bin "${name}" → ${target} is not in the tarball`);
    const onDisk = resolve(root, pkg.dir, path);
    if (existsSync(onDisk)) {
      need(
        readFileSync(onDisk, 'utf8').startsWith('#!/usr/bin/env node'),
        `bin "${name}" lacks a node shebang`,
      );
    }
  }
  for (const dep of Object.values(manifest.dependencies ?? {})) {
    need(
      !String(dep).startsWith('file:') && !String(dep).startsWith('link:'),
      `dependency on a local path: ${dep}`,
    );
  }
  return problems;
}

/**
 * A code target needs types beside it, and in every conditions object "types" must come before
 * the targets it describes (TypeScript takes the first matching condition). Nested conditions
 * (e.g. a "node" branch) are checked the same way.
 */
function checkConditions(target) {
  if (typeof target === 'string') {
    return /\.[cm]?js$/.test(target) ? [`code without types (${target}): use { "types", "default" }`] : [];
  }
  const problems = [];
  const keys = Object.keys(target);
  const codeKeys = keys.filter((key) => typeof target[key] === 'string' && /\.[cm]?js$/.test(target[key]));
  if (codeKeys.length > 0 && !keys.includes('types')) problems.push(`${codeKeys.join(', ')} without "types"`);
  if (keys.includes('types') && codeKeys.some((key) => keys.indexOf(key) < keys.indexOf('types'))) {
    problems.push('"types" must come before the code it types');
  }
  if (!keys.includes('default')) problems.push('needs a "default" condition');
  for (const value of Object.values(target)) {
    if (typeof value === 'object' && value !== null) problems.push(...checkConditions(value));
  }
  return problems;
}

function hasCodeEntryPoints(manifest) {
  return /\.[cm]?js"/.test(JSON.stringify(manifest.exports ?? {}));
}

/** Run a dev tool's bin with this Node, without a shell. */
function tool(packageName, args) {
  // Not require.resolve: publint does not export its package.json.
  const manifestPath = join(here, '..', 'node_modules', packageName, 'package.json');
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entry = typeof bin === 'string' ? bin : Object.values(bin)[0];
  const result = spawnSync(process.execPath, [join(dirname(manifestPath), entry), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
