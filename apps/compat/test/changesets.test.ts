import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** Every workspace package directory (spec, packages/*, apps/*) and its manifest. */
const workspace = [
  'spec',
  ...['packages', 'apps'].flatMap((group) =>
    readdirSync(join(ROOT, group)).map((name) => `${group}/${name}`),
  ),
]
  .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
  .map((dir) => ({ dir, manifest: readPackageJson(dir) }));
/** `private: true` packages (apps/*): never versioned, tagged, offered by `changeset add` or released. */
const privatePackages = workspace.filter((pkg) => pkg.manifest.private);

/**
 * A package that has never been released (no CHANGELOG.md yet) sits at 0.0.0, so that its first
 * release is 0.1.0 (a minor changeset) or 0.0.1 (patches only), not 0.2.0. Majors wait for 1.0
 * (CONTRIBUTING.md: while we are 0.x, breaking changes are minors).
 */
const FIRST_RELEASE: Record<Bump, string | undefined> = { patch: '0.0.1', minor: '0.1.0', major: undefined };
const unreleased = (dir: string) => !existsSync(join(ROOT, dir, 'CHANGELOG.md'));
const bumpOf = (name: string) =>
  highest(
    changesets
      .filter((changeset) => changeset.releases.has(name))
      .map((changeset) => changeset.releases.get(name) as Bump),
  );

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
      if (unreleased(pkg.dir)) {
        expect(planned.get(pkg.name)?.oldVersion, pkg.name).toBe('0.0.0');
        expect(planned.get(pkg.name)?.newVersion, pkg.name).toBe(FIRST_RELEASE[bumpOf(pkg.name) as Bump]);
      }
    }
    // Private packages are never released.
    expect(privatePackages.map((pkg) => pkg.manifest.name)).toEqual(
      expect.arrayContaining(['@testmax/compat', '@testmax/docs', '@testmax/reliability']),
    );
    for (const { manifest } of privatePackages) {
      expect(planned.get(manifest.name)?.type ?? 'none', manifest.name).toBe('none');
    }
  });

  it('the first release of each never-released package is 0.1.0 (0.0.1 with only patch changesets)', async () => {
    const copy = join(work, 'first-release');
    copyForVersioning(copy);
    await runOk(process.execPath, [CHANGESET_BIN, 'version'], { cwd: copy });
    const firsts = PUBLISHED.filter((pkg) => unreleased(pkg.dir));
    for (const pkg of firsts) {
      const bump = bumpOf(pkg.name);
      expect(bump, `${pkg.name}: a first release at 1.0.0 must be a deliberate decision`).not.toBe('major');
      expect(readPackageJson(pkg.dir).version, `${pkg.name} is unreleased: its version must be 0.0.0`).toBe(
        '0.0.0',
      );
      const after = JSON.parse(readFileSync(join(copy, pkg.dir, 'package.json'), 'utf8')).version;
      expect(after, pkg.name).toBe(bump === 'minor' ? '0.1.0' : '0.0.1');
    }
  });

  it('`changeset add` offers only the published packages (privatePackages.version: false)', async () => {
    // The same config reader, package list and filter `changeset add` (and status, version) use,
    // resolved from the installed @changesets/cli.
    const fromCli = createRequire(
      createRequire(join(ROOT, 'package.json')).resolve('@changesets/cli/package.json'),
    );
    type Packages = { packages: { packageJson: { name: string; private?: boolean; version?: string } }[] };
    const { getPackages } = fromCli('@manypkg/get-packages') as {
      getPackages(cwd: string): Promise<Packages>;
    };
    const { read } = fromCli('@changesets/config') as {
      read(
        cwd: string,
        packages: Packages,
      ): Promise<{ ignore: string[]; privatePackages: { version: boolean; tag: boolean } }>;
    };
    const { shouldSkipPackage } = fromCli('@changesets/should-skip-package') as {
      shouldSkipPackage(
        pkg: unknown,
        options: { ignore: readonly string[]; allowPrivatePackages: boolean },
      ): boolean;
    };
    const packages = await getPackages(ROOT);
    const config = await read(ROOT, packages);
    expect(config.privatePackages).toEqual({ version: false, tag: false });
    const offered = packages.packages
      .filter(
        (pkg) =>
          !shouldSkipPackage(pkg, {
            ignore: config.ignore,
            allowPrivatePackages: config.privatePackages.version,
          }),
      )
      .map((pkg) => pkg.packageJson.name);
    expect(offered.sort()).toEqual(PUBLISHED.map((pkg) => pkg.name).sort());
  });

  it('a changeset naming only private packages releases nothing and writes no CHANGELOG', async () => {
    const copy = join(work, 'private');
    copyForVersioning(copy);
    await runOk(process.execPath, [CHANGESET_BIN, 'version'], { cwd: copy });
    writeFileSync(
      join(copy, '.changeset', 'apps-only.md'),
      `---\n${privatePackages.map((pkg) => `"${pkg.manifest.name}": minor`).join('\n')}\n---\n\nTests only.\n`,
    );
    await runOk(process.execPath, [CHANGESET_BIN, 'version'], { cwd: copy });
    for (const { dir, manifest } of privatePackages) {
      expect(JSON.parse(readFileSync(join(copy, dir, 'package.json'), 'utf8')).version, dir).toBe(
        manifest.version,
      );
      expect(existsSync(join(copy, dir, 'CHANGELOG.md')), `${dir}/CHANGELOG.md`).toBe(false);
    }
    for (const pkg of PUBLISHED) {
      expect(readFileSync(join(copy, pkg.dir, 'CHANGELOG.md'), 'utf8')).not.toContain('Tests only.');
    }
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
    // Private packages are left alone: same version, no CHANGELOG.
    for (const { dir, manifest } of privatePackages) {
      expect(JSON.parse(readFileSync(join(copy, dir, 'package.json'), 'utf8')).version, dir).toBe(
        manifest.version,
      );
      expect(existsSync(join(copy, dir, 'CHANGELOG.md')), `${dir}/CHANGELOG.md`).toBe(false);
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
