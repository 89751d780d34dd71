import { statSync } from 'node:fs';

/**
 * A warning text when a secrets file can be read by group or others, else `undefined`.
 * POSIX permissions only: Windows reports modes that do not mean this, so it is skipped.
 */
export function permissionWarning(path: string, platform: string = process.platform): string | undefined {
  if (platform === 'win32') return undefined;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return undefined;
  }
  const readers = [mode & 0o040 ? 'group' : undefined, mode & 0o004 ? 'others' : undefined].filter(Boolean);
  if (readers.length === 0) return undefined;
  return `The TestMax config file ${path} holds your API key and is readable by ${readers.join(' and ')}; run: chmod 600 ${path}`;
}
