// Shared by scripts/changeset-dry-run.mjs and test/changesets.test.ts (through
// src/changesets.ts): a throw-away copy of what `changeset version` reads and writes.
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const CHANGESET_BIN = join(ROOT, 'node_modules', '@changesets', 'cli', 'bin.js');

/**
 * Copy the root manifest, the workspace file, .changeset/, and every workspace package's
 * package.json and CHANGELOG.md into `destination`, so a dry run never touches the tree.
 * Returns the repo-relative package directories copied.
 */
export function copyForVersioning(destination) {
  for (const file of ['package.json', 'pnpm-workspace.yaml']) {
    cpSync(join(ROOT, file), join(destination, file));
  }
  cpSync(join(ROOT, '.changeset'), join(destination, '.changeset'), { recursive: true });
  // The changelog generator named in .changeset/config.json is resolved from the copy.
  symlinkSync(join(ROOT, 'node_modules'), join(destination, 'node_modules'), 'dir');
  const dirs = [
    'spec',
    ...['packages', 'apps'].flatMap((group) =>
      readdirSync(join(ROOT, group)).map((name) => `${group}/${name}`),
    ),
  ];
  const copied = [];
  for (const dir of dirs) {
    if (!existsSync(join(ROOT, dir, 'package.json'))) continue;
    mkdirSync(join(destination, dir), { recursive: true });
    cpSync(join(ROOT, dir, 'package.json'), join(destination, dir, 'package.json'));
    if (existsSync(join(ROOT, dir, 'CHANGELOG.md'))) {
      cpSync(join(ROOT, dir, 'CHANGELOG.md'), join(destination, dir, 'CHANGELOG.md'));
    }
    copied.push(dir);
  }
  return copied;
}
