import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_USER } from './server.js';

describe('pnpm demo (scripts/demo.mjs)', () => {
  it('walks the real binary through the whole session and exits 0, showing no secret', async () => {
    const script = join(import.meta.dirname, '..', 'scripts', 'demo.mjs');
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(process.execPath, [script], {
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
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
    expect(code, stdout + stderr).toBe(0);
    for (const step of ['ping', 'login', 'status', 'accounts', 'token', 'validate', 'logout']) {
      expect(stdout).toContain(`testmax ${step}`);
    }
    expect(stdout).toContain('All steps passed');
    expect(stdout).toContain('SIM-50K-01');
    expect(stdout).not.toContain(DEMO_USER.apiKey);
    // The token is shown masked: no whole JWT anywhere.
    expect(stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(stdout).toMatch(/eyJ[\w-]{9}…/);
    expect(stdout).not.toContain('\u001b[');
  });
});
