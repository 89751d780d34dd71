#!/usr/bin/env node
// `pnpm pack:public [dir]`: build and pack the public packages (every workspace package that is
// not `private`) into `dir` (default `packed/`), one `<scope>-<name>.tgz` each, as `pnpm publish`
// would upload them (`workspace:` ranges rewritten to real ones). The private apps (docs,
// compat, reliability, test-support) are never packed. Then print the `npm install` line that
// uses them in another project: until the packages are on npm, that is how to use the SDK from
// a clone.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { publicPackages as findPublic, ROOT as root } from './workspace.mjs';

const out = resolve(process.cwd(), process.argv[2] ?? join(root, 'packed'));
const publicPackages = findPublic();

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', ...options });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    console.error(
      `pack:public: \`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`,
    );
    process.exit(1);
  }
  return result.stdout;
}

// Built first (turbo's cache makes this quick when nothing changed): a tarball without its
// dist/ would install and then fail at the first import.
console.log(`Building ${publicPackages.map(({ manifest }) => manifest.name).join(', ')}…`);
run('pnpm', [
  'exec',
  'turbo',
  'run',
  'build',
  '--output-logs=errors-only',
  ...publicPackages.map(({ manifest }) => `--filter=${manifest.name}`),
]);

mkdirSync(out, { recursive: true });
const tarballs = new Map();
for (const { dir, manifest } of publicPackages) {
  const target = join(out, `${manifest.name.replace(/^@/, '').replace('/', '-')}.tgz`);
  rmSync(target, { force: true });
  const { filename } = JSON.parse(run('pnpm', ['pack', '--out', target, '--json'], { cwd: join(root, dir) }));
  tarballs.set(manifest.name, filename);
}

const shown = (file) => {
  const path = relative(process.cwd(), file);
  return path.startsWith('..') ? file : `./${path}`;
};
const width = Math.max(...[...tarballs.keys()].map((name) => name.length));
console.log(`\nPacked ${tarballs.size} public packages into ${out}:`);
for (const [name, file] of tarballs) console.log(`  ${name.padEnd(width)}  ${shown(file)}`);

// npm resolves a tarball's @testmax dependencies from the same command line (they are not on
// the registry yet), so each line installs a package together with the ones it needs.
const dependenciesOf = (name) => {
  const { manifest } = publicPackages.find((pkg) => pkg.manifest.name === name);
  return Object.keys(manifest.dependencies ?? {}).filter((dep) => tarballs.has(dep));
};
const closure = (name, seen = new Set()) => {
  if (seen.has(name)) return seen;
  for (const dep of dependenciesOf(name)) closure(dep, seen);
  seen.add(name);
  return seen;
};
const install = (...names) =>
  `npm install ${[...new Set(names.flatMap((name) => [...closure(name)]))].map((name) => tarballs.get(name)).join(' ')}`;
console.log(
  '\nIn your own project (npm needs the @testmax packages a package depends on in the same command):',
);
console.log(`  the SDK:        ${install('@testmax/auth')}`);
console.log(`  + simulator:    ${install('@testmax/auth', '@testmax/mock-server')}`);
console.log(`  the CLI:        ${install('@testmax/cli')}   # then: npx testmax --help`);
if (tarballs.has('@testmax/redis')) {
  console.log(`  + Redis fleet:  ${install('@testmax/auth', '@testmax/redis')}`);
}
