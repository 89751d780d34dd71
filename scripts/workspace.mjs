// The workspace's packages, as pnpm-workspace.yaml globs them (spec, packages/*, apps/*): for the
// root scripts that walk them (test.mjs, pack-public.mjs) and the tests that check those.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');

/** `{ dir, manifest }` for every workspace package, `dir` relative to the repository root. */
export function workspacePackages(root = ROOT) {
  return [
    'spec',
    ...['packages', 'apps'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`)),
  ]
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) }));
}

/** The packages `pnpm publish` would publish: every one that is not `private`. */
export function publicPackages(root = ROOT) {
  return workspacePackages(root).filter(({ manifest }) => manifest.private !== true);
}
