import { spawnSync } from 'node:child_process';

/**
 * A language toolchain a suite needs (Debian's python3, golang-go). Missing on a laptop: the
 * suite skips and says what to install. Missing in CI (`CI=true`): the suite fails, because a
 * silent skip there would report a contract as checked when it was not.
 */
export function requireTool(command: string, args: string[], debianPackage: string): boolean {
  const found = spawnSync(command, args, { encoding: 'utf8' });
  if (found.status === 0) return true;
  const message = `${command} not found: install it with \`apt-get install -y ${debianPackage}\``;
  if (process.env.CI === 'true') throw new Error(`${message} (required in CI)`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}
