#!/usr/bin/env node
// The `testmax` command users run (package.json "bin"). A committed shim rather than dist/bin.js
// itself: pnpm links the bins of workspace packages at `pnpm install`, before the first build,
// and a bin that does not exist yet cannot be linked ("Failed to create bin").
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bin.js', import.meta.url);
import(entry.href).catch((error) => {
  // In a clone that has not been built yet; a published package always has its dist.
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(fileURLToPath(entry))) {
    process.stderr.write('testmax: not built yet; run `pnpm build` in the repository first.\n');
    process.exit(1);
  }
  throw error;
});
