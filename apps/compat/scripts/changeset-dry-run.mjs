#!/usr/bin/env node
// Shows what `pnpm changeset version` would do, without touching the tree: runs it on a
// throw-away copy of the manifests and changesets, then prints each package's version change and
// the top of its new CHANGELOG.
//
//   pnpm --filter @testmax/compat changeset:dry-run
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHANGESET_BIN, copyForVersioning, ROOT } from './versioning-copy.mjs';

const copy = mkdtempSync(join(tmpdir(), 'testmax-changeset-dry-run-'));
try {
  const dirs = copyForVersioning(copy);
  const version = (dir, base) => JSON.parse(readFileSync(join(base, dir, 'package.json'), 'utf8'));
  const result = spawnSync(process.execPath, [CHANGESET_BIN, 'version'], { cwd: copy, encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`changeset version failed:\n${result.stdout}${result.stderr}`);
    process.exit(1);
  }
  for (const dir of dirs) {
    const before = version(dir, ROOT);
    const after = version(dir, copy);
    if (before.private) continue;
    const moved = before.version === after.version ? 'unchanged' : `${before.version} → ${after.version}`;
    console.log(`\n${after.name}: ${moved}`);
    const changelog = join(copy, dir, 'CHANGELOG.md');
    if (existsSync(changelog)) {
      const entry = readFileSync(changelog, 'utf8').split(/\n(?=## )/)[1] ?? '';
      console.log(entry.replace(/^/gm, '  ').trimEnd());
    }
  }
  console.log('\n(dry run: nothing in the repository was changed)');
} finally {
  rmSync(copy, { recursive: true, force: true });
}
