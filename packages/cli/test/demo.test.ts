import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptsConnections } from '@testmax/test-support/loopback';
import { type NodeRunResult, runCommand, runNode } from '@testmax/test-support/run-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER } from './server.js';

const script = join(import.meta.dirname, '..', 'scripts', 'demo.mjs');

type Run = NodeRunResult;

/** Long enough for the whole demo session on a loaded machine; a hung demo is killed, not waited on. */
const DEMO_KILL_AFTER_MS = 120_000;

function demo(args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return runNode(script, args, {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    killAfterMs: DEMO_KILL_AFTER_MS,
  });
}

/** Polls until the process is gone (bounded: a stuck process fails the test, never hangs it). */
async function gone(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

const simulatorUrl = (stdout: string) => /Simulator: (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];

describe('pnpm demo (scripts/demo.mjs)', () => {
  let real: Run;
  beforeAll(async () => {
    real = await demo();
  });

  it('walks the real binary through the whole session and exits 0, showing no secret', () => {
    const { code, stdout, stderr } = real;
    expect(code, stdout + stderr).toBe(0);
    for (const step of ['ping', 'login', 'status', 'accounts', 'token', 'validate', 'logout']) {
      expect(stdout).toContain(`testmax ${step}`);
    }
    expect(stdout).toContain('All steps passed');
    expect(stdout).toContain('SIM-50K-01');
    // Every step was checked for what it shows, not only for its exit code.
    expect(stdout.match(/^ {2}✓ exit \d: .+$/gm)).toHaveLength(8);
    // The token is shown masked: no whole JWT anywhere.
    expect(stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(stdout).toMatch(/eyJ[\w-]{9}…/);
    expect(stdout).not.toContain('\u001b[');
  });

  it('stops its simulator at the end, says so, and offers --keep instead of commands that could not work', async () => {
    const { code, stdout } = real;
    expect(code).toBe(0);
    const url = simulatorUrl(stdout);
    expect(url).toBeDefined();
    expect(await acceptsConnections(url!)).toBe(false);
    expect(stdout).toContain('The simulator has stopped.');
    expect(stdout).toContain('pnpm demo --keep');
    expect(stdout).not.toContain(`export TESTMAX_API_URL=${url}`);
    // The (fake, simulator-only) demo key is shown once, as what the login step pipes in: no
    // command printed it.
    expect(stdout.split(DEMO_USER.apiKey)).toHaveLength(2);
  });

  it('fails when a step exits as it should but shows the wrong thing', async () => {
    const wrong = join(import.meta.dirname, 'fixtures', 'wrong-testmax.mjs');
    const { code, stdout } = await demo([], { TESTMAX_DEMO_BIN: wrong });
    expect(code).toBe(1);
    expect(stdout).toContain('✗ it did not print exactly one JWT');
    expect(stdout).toContain('✗ not every demo account was listed');
    expect(stdout).toContain('8 step(s) failed.');
    expect(stdout).not.toContain('All steps passed');
  });
});

describe('pnpm demo --keep', () => {
  let kept: Run;
  let pid: number | undefined;
  let elsewhere: string;
  beforeAll(async () => {
    kept = await demo(['--keep']);
    pid = Number(/keeps running \(pid (\d+)\)/.exec(kept.stdout)?.[1]) || undefined;
    elsewhere = await mkdtemp(join(tmpdir(), 'testmax-demo-user-'));
  });
  afterAll(async () => {
    // In case the printed `kill` did not run (a failed test): never leave the simulator behind.
    try {
      if (pid !== undefined) process.kill(pid, 'SIGTERM');
    } catch {
      // already gone, as it should be
    }
    await rm(elsewhere, { recursive: true, force: true });
  });

  it('leaves the simulator running and prints the commands that use it; they work exactly as printed', async () => {
    const { code, stdout, stderr } = kept;
    expect(code, stdout + stderr).toBe(0);
    expect(pid).toBeDefined();
    const url = simulatorUrl(stdout)!;
    expect(await acceptsConnections(url)).toBe(true);

    const lines = stdout.split('\n');
    const start = lines.findIndex((line) => line.includes('exactly as they are'));
    expect(start).toBeGreaterThan(-1);
    const typed = lines
      .slice(start + 1)
      .filter((line) => line.trim() !== '')
      .map((line) => line.replace(/^ {2}/, ''));
    expect(typed.at(-1)).toMatch(new RegExp(`^kill ${pid} `));

    // Typed by a user with credentials and a .env of their own, in a directory of theirs: the
    // printed lines must not depend on any of that.
    await writeFile(
      join(elsewhere, '.env'),
      'TESTMAX_USERNAME=someone@example.com\nTESTMAX_API_URL=http://127.0.0.1:9\n',
    );
    const shell = await runCommand('sh', ['-e', '-c', typed.join('\n')], {
      cwd: elsewhere,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: elsewhere,
        TESTMAX_USERNAME: 'someone@example.com',
        TESTMAX_API_KEY: 'tmx_someone_elses_key_0000000000000',
        TESTMAX_API_URL: 'http://127.0.0.1:9',
      },
    });
    expect(shell.code, shell.stdout + shell.stderr).toBe(0);
    expect(shell.stdout).toContain(`Logged in to ${url} as ${DEMO_USER.userName}`);
    expect(shell.stdout).toMatch(/Server +✓ token accepted/);
    for (const account of DEMO_USER.accounts) expect(shell.stdout).toContain(account.name);
    expect(shell.stdout).toContain(`Logged out ${DEMO_USER.userName} from ${url}`);
    expect(shell.stdout + shell.stderr).not.toContain('tmx_someone_elses_key');

    // Its last line stopped the simulator: the process is gone and the port is free.
    expect(await gone(pid!)).toBe(true);
    expect(await acceptsConnections(url)).toBe(false);
  });
});
