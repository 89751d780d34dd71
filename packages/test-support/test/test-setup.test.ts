import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

// `pnpm test:setup` (scripts/test-setup.mjs) against stand-ins for dpkg-query, apt-get and sudo
// that record what they were asked: it installs only what is missing, without recommends.

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'test-setup.mjs');

let bin: string;
let log: string;
beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), 'testmax-setup-'));
  log = join(bin, 'calls.log');
  writeFileSync(log, '');
  // Every package is installed except zsh and fish.
  const fake = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${JSON.stringify(log)}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  fake('dpkg-query', 'case "$3" in zsh|fish) exit 1 ;; *) printf "install ok installed" ;; esac');
  fake('apt-get', 'exit 0');
  fake('sudo', 'exec "$@"');
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

function setup(args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}` },
  });
}
const calls = () =>
  readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('dpkg-query') && line);

describe.runIf(process.platform === 'linux')('pnpm test:setup', () => {
  test('--check names what is missing and installs nothing', () => {
    const result = setup(['--check']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('test:setup: missing zsh, fish');
    expect(calls()).toEqual([]);
  });

  test('installs only the missing packages, with --no-install-recommends, and checks again', () => {
    const result = setup([]);
    const install = calls().find((line) => line.startsWith('apt-get install'));
    expect(install).toBe('apt-get install -y -qq --no-install-recommends zsh fish');
    expect(calls().filter((line) => line.startsWith('apt-get'))).toEqual(['apt-get update -qq', install]);
    // The stand-in installed nothing, and the script noticed.
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('still missing after apt-get: zsh, fish');
  });
});
