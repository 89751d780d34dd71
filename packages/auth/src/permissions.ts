import { statSync } from 'node:fs';

/**
 * The loose-file-mode rule, for every file that holds a secret (the config file, token files):
 * what a mode lets group and others do, as words ("readable by group and others, writable by
 * group"), or `undefined` for a 0600-like mode. POSIX permissions only: Windows reports modes
 * that do not mean this, so callers skip it there.
 */
export function looseness(mode: number): string | undefined {
  const who = (groupBit: number, otherBit: number) =>
    [mode & groupBit ? 'group' : undefined, mode & otherBit ? 'others' : undefined]
      .filter(Boolean)
      .join(' and ');
  const parts = [
    [who(0o040, 0o004), 'readable'],
    [who(0o020, 0o002), 'writable'],
    [who(0o010, 0o001), 'executable'],
  ]
    .filter(([by]) => by)
    .map(([by, what]) => `${what} by ${by}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** A warning text when the config file at `path` is loose (see {@link looseness}), else `undefined`. */
export function permissionWarning(path: string, platform: string = process.platform): string | undefined {
  if (platform === 'win32') return undefined;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return undefined;
  }
  const loose = looseness(mode);
  if (!loose) return undefined;
  return `The TestMax config file ${path} holds your API key and is ${loose}; run: chmod 600 ${path}`;
}
