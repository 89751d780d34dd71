import { join } from 'node:path';
import { runOk } from './exec.js';
import { type PublishedPackage, ROOT } from './workspace.js';

/**
 * `pnpm pack` each package into `destination`, as `pnpm publish` would: `workspace:` ranges
 * become real version ranges and only the `files` list goes in. Sequential: 2 shared cores.
 */
export async function packAll(
  packages: readonly PublishedPackage[],
  destination: string,
): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  for (const pkg of packages) {
    const { stdout } = await runOk('pnpm', ['pack', '--pack-destination', destination, '--json'], {
      cwd: join(ROOT, pkg.dir),
    });
    const { filename } = JSON.parse(stdout) as { filename: string };
    tarballs.set(pkg.name, filename);
  }
  return tarballs;
}
