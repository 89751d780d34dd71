import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('fails a package with the usual mistakes, naming each (publint, attw and the field checks)', async () => {
    // Linted from a copy outside the workspace, as the fixture is not a workspace package.
    const dir = mkdtempSync(join(tmpdir(), 'testmax-broken-'));
    try {
      cpSync(join(import.meta.dirname, '..', 'fixtures', 'broken-package'), dir, { recursive: true });
      const result = await run(process.execPath, [script, '--dir', dir]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('FAIL @testmax/broken-fixture');
      for (const problem of [
        'code without types (./dist/index.js)',
        '"engines.node" must be ">=20.19"',
        '"publishConfig.access" must be "public"',
        'README.md is not in the tarball',
        'tests leak into the tarball',
        'publint:',
        'attw: the package exports JavaScript but no types',
      ]) {
        expect(result.stdout).toContain(problem);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a package name it does not know, instead of checking nothing', async () => {
    const result = await run(process.execPath, [script, '@testmax/nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown package: @testmax/nope');
  });
});
