import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { secretServiceAvailable } from '../src/secret-service.ts';
import { TOOLS } from '../src/tools.ts';

// The Secret Service suites' gate follows the one rule for a missing tool (tools.ts): skipped
// loudly on a laptop, a failure under CI. Skips provoked here are recorded in a directory of
// this test's own, so the closing line of `pnpm test` does not report them as missing tools.
const recordDir = mkdtempSync(join(tmpdir(), 'testmax-secret-service-gate-'));

describe('secretServiceAvailable() without gnome-keyring on PATH', () => {
  const saved = { PATH: process.env.PATH };
  afterEach(() => {
    process.env.PATH = saved.PATH;
    vi.restoreAllMocks();
    rmSync(recordDir, { recursive: true, force: true });
  });

  test('skips loudly on a laptop, naming both tools and their Debian packages', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    process.env.PATH = '/nonexistent';
    expect(secretServiceAvailable({ env: {}, recordDir })).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'SKIPPED: gnome-keyring-daemon is not installed (`pnpm test:setup`, or apt-get install -y --no-install-recommends gnome-keyring)',
      ),
    );
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'SKIPPED: dbus-run-session is not installed (`pnpm test:setup`, or apt-get install -y --no-install-recommends dbus-daemon)',
      ),
    );
  });

  test('fails under CI: CI never skips the Secret Service tests', () => {
    process.env.PATH = '/nonexistent';
    expect(() => secretServiceAvailable({ env: { CI: 'true' }, recordDir })).toThrow(
      /^gnome-keyring-daemon is not installed .*CI never skips tests for a missing tool/,
    );
  });

  test.runIf(TOOLS['gnome-keyring-daemon'].find() && TOOLS['dbus-run-session'].find())(
    'finds the tools this machine has, and says nothing',
    () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      expect(secretServiceAvailable({ env: { CI: 'true' }, recordDir })).toBe(true);
      expect(warn).not.toHaveBeenCalled();
    },
  );
});
