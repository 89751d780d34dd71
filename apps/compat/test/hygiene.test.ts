import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/exec.js';
import { packagesUnderTest } from '../src/workspace.js';

const script = join(import.meta.dirname, '..', 'scripts', 'lint-packages.mjs');

describe('package hygiene: publint, attw (esm-only profile) and package.json fields, on the packed tarball', () => {
  it.each(packagesUnderTest().map((pkg) => pkg.name))('%s', async (name) => {
    const result = await run(process.execPath, [script, name]);
    expect(result.stdout, result.stderr).toContain(`ok   ${name}`);
    expect(result.code).toBe(0);
  });

  it('rejects a package name it does not know, instead of checking nothing', async () => {
    const result = await run(process.execPath, [script, '@testmax/nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown package: @testmax/nope');
  });
});
