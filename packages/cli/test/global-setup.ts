import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// The tests run the built binary, as users do; build it first so they never test a stale dist.
export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  for (const dependency of ['auth', 'mock-server']) {
    const entry = join(root, '..', dependency, 'dist', 'index.js');
    if (!existsSync(entry)) {
      throw new Error(`${entry} is missing: run \`pnpm --filter "@testmax/cli..." build\` first.`);
    }
  }
}
