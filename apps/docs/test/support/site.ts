import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const docsDir = fileURLToPath(new URL('../..', import.meta.url));
export const repoRoot = join(docsDir, '..', '..');
export const distDir = join(docsDir, '.vitepress', 'dist');

/** What the built site is made from; a dist older than any of these is rebuilt. */
const INPUTS = [
  'apps/docs/index.md',
  'apps/docs/guide',
  'apps/docs/reference/index.md',
  'apps/docs/.vitepress/config.ts',
  'apps/docs/.vitepress/theme',
  'apps/docs/scripts',
  'spec/openapi.yaml',
  'packages/client/src',
  'packages/auth/src',
  'packages/mock-server/src',
  'packages/redis/src',
  // Sources, not dist: the CLI's own tests rebuild its dist (same content, new mtimes).
  'packages/cli/src',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * Uses the build the turbo `build` task made before `test`, or builds the site when there is none
 * or it is older than its inputs (a local `pnpm test` after editing a guide).
 * `TESTMAX_DOCS_REUSE_BUILD=1` tests whatever is in dist as it is.
 */
export function ensureBuilt(): void {
  const built = join(distDir, 'index.html');
  if (existsSync(built) && process.env.TESTMAX_DOCS_REUSE_BUILD === '1') return;
  const inputsChanged = Math.max(...INPUTS.map((p) => newestMtime(join(repoRoot, p))));
  if (existsSync(built) && statSync(built).mtimeMs >= inputsChanged) return;
  const result = spawnSync('pnpm', ['run', 'build'], { cwd: docsDir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the docs build failed (exit ${result.status})`);
}
