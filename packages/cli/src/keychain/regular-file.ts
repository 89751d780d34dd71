// Stand-in until @testmax/auth/node exports readRegularFile (the hardening work): same shape.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type FileRead =
  | { ok: true; text: string; mode: number }
  | { ok: false; missing: boolean; problem: string };

export function readRegularFile(path: string, maxBytes: number): FileRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, missing: true, problem: 'does not exist' };
    return { ok: false, missing: false, problem: `could not be read (${code ?? 'unknown error'})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { ok: false, missing: false, problem: 'is not a regular file' };
    if (stats.size > maxBytes) return { ok: false, missing: false, problem: 'is too large' };
    const buffer = Buffer.alloc(maxBytes + 1);
    const n = readSync(fd, buffer, 0, maxBytes + 1, 0);
    if (n > maxBytes) return { ok: false, missing: false, problem: 'is too large' };
    return { ok: true, text: buffer.subarray(0, n).toString('utf8'), mode: stats.mode };
  } finally {
    closeSync(fd);
  }
}
