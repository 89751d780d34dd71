import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Bump,
  bumpVersion,
  CHANGESET_BIN,
  copyForVersioning,
  highest,
  readChangesets,
} from '../src/changesets.js';
import { run, runOk } from '../src/exec.js';
import { PUBLISHED, ROOT, readPackageJson } from '../src/workspace.js';

// Changesets are how the packages are released: each gets its own version and CHANGELOG.
// The real `changeset version` runs here on a copy of the manifests, never on the tree.

const changesets = readChangesets(join(ROOT, '.changeset'));

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'testmax-changesets-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('changesets', () => {
  it.each(PUBLISHED.map((pkg) => pkg.name))('%s has a pending changeset with a summary', (name) => {
    const mine = changesets.filter((changeset) => changeset.releases.has(name));
    expect(
      mine.map((changeset) => changeset.file),
      `add .changeset/<name>.md naming ${name}`,
    ).not.toEqual([]);
    for (const changeset of mine) expect(changeset.summary.length).toBeGreaterThan(0);
  });

  it('`changeset status` is green and plans a release for every published package', async () => {
    const output = join(work, 'status.json');
    // status diffs the tree against the base branch, so it needs a local `main` (a fresh clone
    // has one; a detached CI checkout needs `git fetch origin main:main` first).
    const hasMain =
      (await run('git', ['rev-parse', '--verify', '--quiet', 'main'], { cwd: ROOT })).code === 0;
    if (!hasMain) throw new Error('`changeset status` needs the base branch: git fetch origin main:main');
    await runOk(process.execPath, [CHANGESET_BIN, 'status', `--output=${output}`], { cwd: ROOT });
    const status = JSON.parse(readFileSync(output, 'utf8')) as {
      releases: { name: string; type: Bump | 'none'; oldVersion: string; newVersion: string }[];
    };
    const planned = new Map(status.releases.map((release) => [release.name, release]));
    for (const pkg of PUBLISHED) {
      expect(planned.get(pkg.name)?.type, pkg.name).not.toBe('none');
      expect(planned.get(pkg.name)?.newVersion, pkg.name).not.toBe(planned.get(pkg.name)?.oldVersion);
    }
    // Private packages are never released.
    for (const name of ['@testmax/compat', '@testmax/docs'])
      expect(planned.get(name)?.type ?? 'none').toBe('none');
  });

  it('dry run of `changeset version`: each package gets its own version and CHANGELOG', async () => {
    const copy = join(work, 'version');
    copyForVersioning(copy);
    await runOk(process.execPath, [CHANGESET_BIN, 'version'], { cwd: copy });

    for (const pkg of PUBLISHED) {
      const before = readPackageJson(pkg.dir).version;
      const mine = changesets.filter((changeset) => changeset.releases.has(pkg.name));
      const bump = highest(mine.map((changeset) => changeset.releases.get(pkg.name) as Bump));
      const after = JSON.parse(readFileSync(join(copy, pkg.dir, 'package.json'), 'utf8')).version;
      // Without a changeset of its own, a package moves only as a dependent (a patch) or not at all.
      const allowed = bump ? [bumpVersion(before, bump)] : [before, bumpVersion(before, 'patch')];
      expect(allowed, pkg.name).toContain(after);

      const changelog = readFileSync(join(copy, pkg.dir, 'CHANGELOG.md'), 'utf8');
      expect(changelog.startsWith(`# ${pkg.name}\n`)).toBe(true);
      expect(changelog).toContain(`## ${after}\n`);
      for (const changeset of changesets) {
        const line = changeset.summary.split('\n')[0] as string;
        const elsewhere = changesets.some((other) => other !== changeset && other.summary.includes(line));
        if (changeset.releases.has(pkg.name)) expect(changelog, pkg.name).toContain(line);
        else if (!elsewhere) expect(changelog, pkg.name).not.toContain(line);
      }
    }
    // The copy consumed its changesets; the real tree still has them all.
    expect(readChangesets(join(copy, '.changeset'))).toEqual([]);
    expect(readChangesets(join(ROOT, '.changeset')).length).toBe(changesets.length);
  });

  it('versions are independent: a patch to the CLI alone releases the CLI alone', async () => {
    const copy = join(work, 'independent');
    const dirs = copyForVersioning(copy);
    await runOk(process.execPath, [CHANGESET_BIN, 'version'], { cwd: copy });
    const versionsOf = () =>
      Object.fromEntries(
        dirs.map((dir) => [dir, JSON.parse(readFileSync(join(copy, dir, 'package.json'), 'utf8')).version]),
      );
    const before = versionsOf();
    writeFileSync(
      join(copy, '.changeset', 'cli-fix.md'),
      '---\n"@testmax/cli": patch\n---\n\nA CLI-only fix.\n',
    );
    await runOk(process.execPath, [CHANGESET_BIN, 'version'], { cwd: copy });
    const after = versionsOf();

    expect(after['packages/cli']).toBe(bumpVersion(before['packages/cli'], 'patch'));
    for (const dir of dirs.filter((dir) => dir !== 'packages/cli')) expect(after[dir], dir).toBe(before[dir]);
    expect(readFileSync(join(copy, 'packages/cli/CHANGELOG.md'), 'utf8')).toContain('A CLI-only fix.');
    expect(readFileSync(join(copy, 'packages/client/CHANGELOG.md'), 'utf8')).not.toContain('A CLI-only fix.');
  });
});
