#!/usr/bin/env node
// Generated files are committed; CI regenerates them and fails if anything differs, so nobody
// edits generated code by hand and nobody forgets to regenerate after a spec change.
import { execSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
execSync('pnpm exec turbo run codegen --force --output-logs=errors-only', { cwd: root, stdio: 'inherit' });
const changed = execSync('git status --porcelain -- spec/dist packages/*/src/generated apps/docs', {
  cwd: root,
})
  .toString()
  .trim();
if (changed) {
  console.error(`Generated files are stale; run \`pnpm codegen\` and commit:\n${changed}`);
  process.exit(1);
}
console.log('Generated files are fresh.');
