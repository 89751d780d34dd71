import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAvailable, redisServerPath } from '@testmax/test-support/redis-server';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Where a skip is recorded for the closing line of `pnpm test`: a directory of this test's own,
// so the skips it provokes on purpose are not reported as a missing tool.
const recordDir = mkdtempSync(join(tmpdir(), 'testmax-redis-helper-'));

// The Redis suites' gate: without redis-server a laptop skips them loudly, CI fails.
describe('redisAvailable() without redis-server on PATH', () => {
  const saved = { PATH: process.env.PATH, CI: process.env.CI };
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.CI === undefined) delete process.env.CI;
    else process.env.CI = saved.CI;
    vi.restoreAllMocks();
    rmSync(recordDir, { recursive: true, force: true });
  });

  it('skips loudly on a laptop', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    process.env.PATH = '/nonexistent';
    delete process.env.CI;
    expect(redisAvailable({ recordDir })).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('SKIPPED: redis-server is not installed'));
    // The rule every system tool follows (test-support's tools.ts).
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('apt-get install -y --no-install-recommends redis-server'),
    );
  });

  it('fails under CI=true: CI never skips the Redis tests', () => {
    process.env.PATH = '/nonexistent';
    process.env.CI = 'true';
    expect(() => redisAvailable({ recordDir })).toThrow(/CI never skips tests for a missing tool/);
  });

  it.runIf(redisServerPath())('finds the redis-server the machine has', () => {
    expect(redisAvailable()).toBe(true);
  });
});
