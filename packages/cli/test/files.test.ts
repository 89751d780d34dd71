import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from './helpers.js';
import { DEMO_USER, type MockServer, startServer } from './server.js';

// Files that are not files, where the CLI reads or writes: the working directory's .env, the
// config file, the session file and the state directory. Each is refused by name at once:
// never a hang (a FIFO), never an endless read (/dev/zero), never a chmod through a link.

const posix = process.platform !== 'win32';
let server: MockServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  sandbox = await Sandbox.create();
  sandbox.secret(DEMO_USER.apiKey);
});
afterEach(async () => {
  await sandbox.dispose();
});

const env = () => ({ TESTMAX_API_URL: server.url, TESTMAX_USERNAME: DEMO_USER.userName });

/** Where the CLI keeps the demo user's session for the simulator (see token-cache.ts). */
function sessionPath(): string {
  const key = `${server.url}\n${DEMO_USER.userName.toLowerCase()}`;
  return join(
    sandbox.stateDir,
    `session-${createHash('sha256').update(key).digest('hex').slice(0, 24)}.json`,
  );
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

function login(extra: Record<string, string> = {}) {
  return sandbox.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
    stdin: DEMO_USER.apiKey,
    env: { TESTMAX_API_URL: server.url, ...extra },
  });
}

describe.runIf(posix)('the session file', () => {
  it.each([
    ['a FIFO', (path: string) => mkfifo(path), 'is a FIFO (named pipe), not a file'],
    ['a link to /dev/zero', (path: string) => symlinkSync('/dev/zero', path), 'is a device, not a file'],
    ['a directory', (path: string) => mkdirSync(path, { mode: 0o755 }), 'is a directory, not a file'],
  ])('as %s: ignored with a warning naming it, never a hang', async (_what, make, problem) => {
    await mkdir(sandbox.stateDir, { recursive: true, mode: 0o700 });
    make(sessionPath());
    const result = await sandbox.run(['status'], { env: env() });
    expect(result.code, result.stderr).toBe(4); // not logged in
    expect(result.stderr).toContain(`ignoring ${sessionPath()}: it ${problem}`);
    // A directory is not described as a file with loose permissions.
    expect(result.stderr).not.toContain('executable by');
  });

  it('a FIFO there is replaced by the next login', async () => {
    await mkdir(sandbox.stateDir, { recursive: true, mode: 0o700 });
    mkfifo(sessionPath());
    const result = await login();
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(sessionPath()).isFile()).toBe(true);
  });
});

describe.runIf(posix)('the state directory', () => {
  it('a symbolic link to another directory is refused, and that directory keeps its mode', async () => {
    const elsewhere = join(sandbox.home, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o755 });
    mkdirSync(join(sandbox.home, 'state'), { recursive: true });
    symlinkSync(elsewhere, sandbox.stateDir);
    const result = await login();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(sandbox.stateDir);
    expect(result.stderr).toContain('symbolic link');
    expect(statSync(elsewhere).mode & 0o777).toBe(0o755);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

describe.runIf(posix)('.env and the config file', () => {
  /** Each makes the bad file and returns its path and the environment that points at it. */
  const CASES: [string, () => { path: string; env: Record<string, string> }][] = [
    [
      '.env linked to /dev/zero',
      () => {
        symlinkSync('/dev/zero', join(sandbox.cwd, '.env'));
        return { path: join(sandbox.cwd, '.env'), env: {} };
      },
    ],
    [
      '.env as a FIFO',
      () => {
        mkfifo(join(sandbox.cwd, '.env'));
        return { path: join(sandbox.cwd, '.env'), env: {} };
      },
    ],
    [
      'TESTMAX_CONFIG=/dev/urandom',
      () => ({ path: '/dev/urandom', env: { TESTMAX_CONFIG: '/dev/urandom' } }),
    ],
    [
      'TESTMAX_CONFIG at a FIFO',
      () => {
        const path = join(sandbox.home, 'config.fifo');
        mkfifo(path);
        return { path, env: { TESTMAX_CONFIG: path } };
      },
    ],
  ];

  it.each(CASES)(
    '%s: every command, ping and login included, is a usage error naming it',
    async (_what, make) => {
      const { path, env: extra } = make();
      for (const args of [['ping'], ['status']]) {
        const result = await sandbox.run(args, { env: { TESTMAX_API_URL: server.url, ...extra } });
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toContain(path);
        // What is wrong, then what to do, as two sentences (the advice is the hint's).
        expect(result.stderr).toMatch(/, not a file\. \S/);
      }
      const result = await login(extra);
      expect(result.code, result.stderr).toBe(2);
    },
  );
});
