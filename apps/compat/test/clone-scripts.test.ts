import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptsConnections, freeLoopbackPort } from '@testmax/test-support/loopback';
import { describe, expect, it } from 'vitest';
import { run } from '../src/exec.js';
import { ROOT } from '../src/workspace.js';

// The commands a clone offers before anything is published, used as the README shows them:
// `pnpm -s testmax-mock … &` then `kill $!`, and `bin/` on PATH.

/** Polls (bounded: a port that stays taken fails the test, it never hangs it). */
async function eventually(check: () => Promise<boolean>, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('the clone’s own commands', () => {
  it('`pnpm -s testmax-mock --port N &` then `kill $!` (which signals pnpm) frees the port', async () => {
    const port = await freeLoopbackPort();
    // What `&` starts is pnpm; `kill $!` sends it SIGTERM.
    // A process group of its own, so the test can clean up whatever is left if this fails.
    const pnpm = spawn('pnpm', ['-s', 'testmax-mock', '--port', String(port)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    pnpm.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    try {
      expect(
        await eventually(async () => output.includes(`listening on http://127.0.0.1:${port}`), 300),
      ).toBe(true);
      pnpm.kill('SIGTERM');
      expect(await eventually(async () => !(await acceptsConnections(port)))).toBe(true);
      // The simulator itself heard it and shut down (its output still reaches the pipe pnpm had).
      expect(await eventually(async () => output.includes('SIGTERM: shutting down'))).toBe(true);
    } finally {
      try {
        process.kill(-pnpm.pid!, 'SIGKILL');
      } catch {
        // the group is gone, as it should be
      }
    }
  });

  it('`export PATH="$PWD/bin:$PATH"` in the clone puts testmax and testmax-mock on PATH', async () => {
    const port = await freeLoopbackPort();
    const log = join(await mkdtemp(join(tmpdir(), 'testmax-path-')), 'mock.log');
    const script = [
      'export PATH="$PWD/bin:$PATH"',
      'testmax --version',
      'testmax-mock --port "$1" > "$2" &',
      'pid=$!',
      // Waits for the simulator, asking through testmax, then stops it as the README says.
      'for i in $(seq 100); do testmax ping --base-url "http://127.0.0.1:$1" && break; sleep 0.1; done',
      'kill "$pid" && wait "$pid"',
    ].join('\n');
    try {
      const result = await run('sh', ['-e', '-c', script, 'sh', String(port), log], { cwd: ROOT });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n/);
      expect(result.stdout).toContain(`http://127.0.0.1:${port} is up`);
      // `exec` in bin/testmax-mock: `kill $!` reached the simulator, which freed the port.
      expect(await acceptsConnections(port)).toBe(false);
      expect(await readFile(log, 'utf8')).toContain('SIGTERM: shutting down');
    } finally {
      await rm(join(log, '..'), { recursive: true, force: true });
    }
  });

  it("the README's From a clone commands work as printed (on a free port instead of 4010)", async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- example: from-a-clone\b[^>]*-->\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const port = await freeLoopbackPort();
    const home = await mkdtemp(join(tmpdir(), 'testmax-readme-'));
    // Waits for the simulator the block started in the background before the next command.
    const script = block!
      .replaceAll('4010', String(port))
      .replace(
        /^(export TESTMAX_API_URL=.*)$/m,
        `$1\nfor i in $(seq 100); do testmax ping >/dev/null 2>&1 && break; sleep 0.1; done`,
      );
    try {
      const result = await run('sh', ['-e', '-c', script], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          XDG_CONFIG_HOME: join(home, 'c'),
          XDG_STATE_HOME: join(home, 's'),
        },
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`Logged in to http://127.0.0.1:${port} as demo@testmax.local`);
      expect(result.stdout).toContain('SIM-50K-01');
      expect(result.stdout).toContain('the saved token was revoked and deleted');
      expect(await eventually(async () => !(await acceptsConnections(port)))).toBe(true);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
