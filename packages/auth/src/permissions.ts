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

/**
 * The loose-file-mode warning, worded once for every file that holds a secret (`what`: "The
 * token file"), or `undefined` for a 0600-like mode, and on Windows, whose modes do not mean this.
 */
export function looseFileWarning(
  what: string,
  path: string,
  mode: number,
  platform: string = process.platform,
): string | undefined {
  if (platform === 'win32') return undefined;
  const loose = looseness(mode);
  if (!loose) return undefined;
  return `${what} ${path} is ${loose} (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`;
}

/** The warning for a loose config file at `path` (see {@link looseFileWarning}), else `undefined`. */
export function permissionWarning(path: string, platform: string = process.platform): string | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return undefined;
  }
  return looseFileWarning('The TestMax config file', path, mode, platform);
}
