import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runOk } from '../src/exec.js';
import { PUBLISHED, ROOT, readPackageJson } from '../src/workspace.js';

// A newcomer's clone: the files git has (what `git clone` gives, with this checkout's
// uncommitted changes), installed with the repository's own pnpm, before anything is built.

let work: string;
let clone: string;
let install: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'testmax-clone-'));
  clone = join(work, 'testmax-sdk');
  const { stdout } = await runOk('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
  });
  for (const file of stdout.split('\0').filter(Boolean)) {
    mkdirSync(join(clone, dirname(file)), { recursive: true });
    // A file deleted but not yet committed is still listed: skip it, as a clone would not have it.
    try {
      cpSync(join(ROOT, file), join(clone, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  // The shared store has every package already: nothing to download, only links to make.
  install = await run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], {
    cwd: clone,
    timeoutMs: 600_000,
  });
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a fresh clone', () => {
  it('`pnpm install` says nothing about bins it could not create, and links them', () => {
    expect(install.code, install.stdout + install.stderr).toBe(0);
    expect(install.stdout + install.stderr).not.toMatch(/Failed to create bin/i);
    // The workspace's bins are linked where its packages use them, before any build.
    for (const dir of ['apps/docs', 'apps/compat', 'packages/cli']) {
      expect(readdirSync(join(clone, dir, 'node_modules', '.bin'))).toContain('testmax-mock');
    }
    expect(readdirSync(join(clone, 'apps/docs/node_modules/.bin'))).toContain('testmax');
  });

  it('before the first build, the commands say to build instead of throwing a stack trace', async () => {
    for (const [bin, name] of [
      ['testmax', 'testmax'],
      ['testmax-mock', 'testmax-mock'],
    ] as const) {
      const result = await run(join(clone, 'bin', bin), ['--version'], { cwd: clone });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`${name}: not built yet; run \`pnpm build\` in the repository first.\n`);
    }
  });
});

describe('pnpm pack:public', () => {
  let out: string;
  let packed: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    out = join(work, 'packed');
    packed = await run('pnpm', ['-s', 'pack:public', out], { cwd: ROOT, timeoutMs: 600_000 });
  }, 600_000);

  it('packs every public package and nothing private, one version-less tarball each', () => {
    expect(packed.code, packed.stdout + packed.stderr).toBe(0);
    const expected = PUBLISHED.map(
      (pkg) => `${readPackageJson(pkg.dir).name.replace('@', '').replace('/', '-')}.tgz`,
    );
    expect(readdirSync(out).sort()).toEqual(expected.sort());
    expect(packed.stdout).toContain(`Packed ${PUBLISHED.length} public packages into ${out}`);
    expect(packed.stdout).not.toMatch(/@testmax\/(docs|compat|reliability|test-support)/);
  });

  it('prints an npm install line for the SDK that names its @testmax dependencies too', () => {
    const line = packed.stdout.split('\n').find((l) => l.trim().startsWith('the SDK:'));
    expect(line).toBeDefined();
    expect(line).toContain(join(out, 'testmax-auth.tgz'));
    expect(line).toContain(join(out, 'testmax-client.tgz'));
    const cli = packed.stdout.split('\n').find((l) => l.trim().startsWith('the CLI:'))!;
    for (const name of ['cli', 'auth', 'client']) expect(cli).toContain(join(out, `testmax-${name}.tgz`));
  });
});
