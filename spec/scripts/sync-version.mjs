#!/usr/bin/env node
// `info.version` of openapi.yaml is the version of the @testmax/spec package that ships it, so a
// consumer can tell which contract a generated client came from. `changeset version` bumps only
// package.json; the root `pnpm version-packages` runs this script after it (then `pnpm codegen`
// for the bundles). With --check, change nothing and fail when the two differ.
// Usage: node scripts/sync-version.mjs [--check] [spec directory, default: this package]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const check = args.includes('--check');
const dir = args.find((arg) => arg !== '--check') ?? join(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const file = join(dir, 'openapi.yaml');
const source = readFileSync(file, 'utf8');
// The first `  version:` line inside the top-level `info:` block (the only one at that indent).
const INFO_VERSION = /^(info:\n(?:(?: {2}.*|\s*)\n)*? {2}version: )(.*)$/m;
const match = INFO_VERSION.exec(source);
if (!match) {
  console.error(`${file}: no info.version found`);
  process.exit(1);
}
const current = match[2].trim().replace(/^(['"])(.*)\1$/, '$2');
if (current === version) {
  console.log(`info.version is ${version}, as in package.json`);
  process.exit(0);
}
if (check) {
  console.error(`info.version is ${current} but @testmax/spec is ${version}: run \`pnpm version-packages\``);
  process.exit(1);
}
writeFileSync(file, source.replace(INFO_VERSION, `$1${version}`));
console.log(`info.version: ${current} -> ${version}`);
