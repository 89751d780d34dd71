import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from '@testmax/test-support/run-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadCredentials, readRegularFileSync } from '../src/node.js';

// `.env` and config files that are not files: a FIFO (a read waits for a writer forever) or a
// device (`/dev/zero` never ends) must be refused by name, never hang or exhaust the process.
// Those cases run in a child process on the build, so a regression is a failed test, not a
// frozen test run.

const posix = process.platform !== 'win32';
const NODE_ENTRY = join(import.meta.dirname, '..', 'dist', 'node.js');
/** Far longer than reading a settings file takes; a run past it hangs. */
const HANG_MS = 15_000;

let root: string;
let cwd: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'testmax-files-'));
  cwd = join(root, 'project');
  mkdirSync(cwd);
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

interface ChildOutcome {
  ok: boolean;
  name?: string;
  message?: string;
  reason?: string;
}

/** `loadCredentials` in a fresh Node process; a hang past HANG_MS is reported as such. */
async function loadInChild(env: Record<string, string>): Promise<ChildOutcome | 'hung'> {
  const script = `
    import { loadCredentials } from ${JSON.stringify(NODE_ENTRY)};
    let out;
    try {
      loadCredentials({ env: ${JSON.stringify({ HOME: join(root, 'home'), ...env })}, cwd: ${JSON.stringify(cwd)} });
      out = { ok: true };
    } catch (error) {
      out = { ok: false, name: error.name, message: error.message, reason: error.reason };
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const { signal, stdout } = await runNode('--eval', [script], {
    nodeFlags: ['--input-type=module'],
    killAfterMs: HANG_MS,
  });
  return signal ? 'hung' : (JSON.parse(stdout) as ChildOutcome);
}

function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

describe.runIf(posix)('settings files that are not regular files are refused by name, at once', () => {
  it.each([
    ['a symbolic link to /dev/zero', () => symlinkSync('/dev/zero', join(cwd, '.env')), 'a device'],
    ['a FIFO', () => fifo(join(cwd, '.env')), 'a FIFO (named pipe)'],
    ['a directory', () => mkdirSync(join(cwd, '.env')), 'a directory'],
  ])('.env as %s: a ConfigError naming it', async (_what, make, kind) => {
    make();
    const outcome = await loadInChild({ TESTMAX_USERNAME: 'u@example.com', TESTMAX_API_KEY: 'k-0123456789' });
    expect(outcome).not.toBe('hung');
    expect(outcome).toMatchObject({ ok: false, name: 'ConfigError', reason: 'invalid' });
    const { message } = outcome as ChildOutcome;
    expect(message).toContain(join(cwd, '.env'));
    expect(message).toContain(`is ${kind}, not a file`);
  });

  it.each([
    ['/dev/urandom', () => '/dev/urandom', 'a device'],
    ['a FIFO', () => fifo(join(root, 'config.fifo')), 'a FIFO (named pipe)'],
  ])('TESTMAX_CONFIG at %s: a ConfigError naming it', async (_what, path, kind) => {
    const config = path();
    const outcome = await loadInChild({ TESTMAX_CONFIG: config });
    expect(outcome).not.toBe('hung');
    expect(outcome).toMatchObject({ ok: false, name: 'ConfigError' });
    expect((outcome as ChildOutcome).message).toContain(`The config file ${config} is ${kind}`);
  });
});

describe('the advice names only what the user set', () => {
  it('a default config path that is no file says to mend it, not to fix a TESTMAX_CONFIG never set', () => {
    const xdg = join(root, 'xdg');
    mkdirSync(join(xdg, 'testmax', 'config.json'), { recursive: true });
    const load = () => loadCredentials({ env: { XDG_CONFIG_HOME: xdg, HOME: join(root, 'home') }, cwd });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/is a directory, not a file; make it a JSON file or remove it/);
    expect(load).not.toThrow(/TESTMAX_CONFIG/);
  });
});

describe('size cap', () => {
  it('a .env of more than 1 MiB is refused unread, naming it', () => {
    writeFileSync(join(cwd, '.env'), `TESTMAX_USERNAME=u@example.com\n# ${'x'.repeat(1024 * 1024)}\n`);
    const load = () => loadCredentials({ env: { HOME: join(root, 'home') }, cwd });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`The .env file ${join(cwd, '.env')} is larger than 1048576 bytes`);
  });

  it('readRegularFileSync reads a regular file within the cap and reports its mode', () => {
    const path = join(root, 'small.json');
    writeFileSync(path, '{"a":1}', { mode: 0o640 });
    const read = readRegularFileSync(path, { maxBytes: 7 });
    expect(read).toMatchObject({ kind: 'text', text: '{"a":1}' });
    if (posix && read.kind === 'text') expect(read.mode & 0o777).toBe(0o640);
    expect(readRegularFileSync(path, { maxBytes: 6 })).toMatchObject({ kind: 'refused' });
    expect(readRegularFileSync(join(root, 'none'), { maxBytes: 6 })).toEqual({ kind: 'missing' });
  });
});
