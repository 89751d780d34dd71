#!/usr/bin/env node
// `pnpm test:setup`: install the Debian packages the test suites drive (.ci/debian-packages.txt,
// the one list; .ci/run runs this too). Only what is missing, with --no-install-recommends, and
// nothing else: no upgrade of what is already installed. `pnpm test` never installs anything.
//
//   pnpm test:setup            install what is missing (as root, or through sudo)
//   pnpm test:setup --check    only say what is missing; exit 1 if anything is
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const list = join(import.meta.dirname, '..', '.ci', 'debian-packages.txt');
const wanted = readFileSync(list, 'utf8')
  .split('\n')
  .map((line) => line.replace(/#.*/, '').trim())
  .filter(Boolean);
const checkOnly = process.argv.includes('--check');

if (!existsSync('/usr/bin/dpkg-query') || !existsSync('/usr/bin/apt-get')) {
  console.error(
    `test:setup installs Debian packages with apt-get, which this system does not have. Install the equivalents of: ${wanted.join(' ')}`,
  );
  process.exit(1);
}

const installed = (pkg) =>
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax.
  spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes(
    'install ok installed',
  );
const missing = wanted.filter((pkg) => !installed(pkg));
if (missing.length === 0) {
  console.log(
    `test:setup: all ${wanted.length} packages the tests need are installed (${wanted.join(', ')}).`,
  );
  process.exit(0);
}
console.log(`test:setup: missing ${missing.join(', ')}`);
if (checkOnly) process.exit(1);

const asRoot = process.getuid?.() === 0;
const run = (args) => {
  const [command, ...rest] = asRoot ? args : ['sudo', ...args];
  console.log(`$ ${[command, ...rest].join(' ')}`);
  const result = spawnSync(command, rest, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    console.error(`test:setup: \`${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
};
run(['apt-get', 'update', '-qq']);
run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
const still = missing.filter((pkg) => !installed(pkg));
if (still.length > 0) {
  console.error(`test:setup: still missing after apt-get: ${still.join(', ')}`);
  process.exit(1);
}
console.log(`test:setup: installed ${missing.join(', ')}`);
