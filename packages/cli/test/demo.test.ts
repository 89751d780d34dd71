import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER } from './server.js';

const script = join(import.meta.dirname, '..', 'scripts', 'demo.mjs');

function demo(
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
  });
}

describe('pnpm demo (scripts/demo.mjs)', () => {
  let real: Awaited<ReturnType<typeof demo>>;
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

  it('shows commands that can be typed as they are: the demo key is set before the pipe that reads it', () => {
    const { code, stdout } = real;
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const url = /Simulator: (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    const exportUrl = lines.findIndex((line) => line.trim() === `export TESTMAX_API_URL=${url}`);
    const setKey = lines.findIndex((line) => line.trim().startsWith(`TESTMAX_API_KEY=${DEMO_USER.apiKey} `));
    const pipe = lines.findIndex((line) => line.includes('printf %s "$TESTMAX_API_KEY" | testmax login'));
    expect(exportUrl).toBeGreaterThan(-1);
    expect(setKey).toBeGreaterThan(exportUrl);
    expect(pipe).toBeGreaterThan(setKey);
    // The (fake, simulator-only) demo key appears in that one line and nowhere else: no
    // command printed it.
    expect(stdout.split(DEMO_USER.apiKey)).toHaveLength(2);
  });

  it('fails when a step exits as it should but shows the wrong thing', async () => {
    const wrong = join(import.meta.dirname, 'fixtures', 'wrong-testmax.mjs');
    const { code, stdout } = await demo({ TESTMAX_DEMO_BIN: wrong });
    expect(code).toBe(1);
    expect(stdout).toContain('✗ it did not print exactly one JWT');
    expect(stdout).toContain('✗ not every demo account was listed');
    expect(stdout).toContain('8 step(s) failed.');
    expect(stdout).not.toContain('All steps passed');
  });
});
