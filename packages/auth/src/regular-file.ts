/**
 * The files-that-are-not-files rule: `.env`, the config file and token files are read only when
 * they are regular files, never past a size cap, and without blocking. A repository can ship
 * `.env -> /dev/zero` (an endless read) or a FIFO (a read that waits for a writer forever);
 * neither may hang or exhaust the process. Node only.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** `.env` and config files: far beyond any real one (they hold four short values). */
export const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;

export type FileRead =
  | { ok: true; text: string; mode: number }
  | {
      ok: false;
      /** The path does not exist (for optional files, not an error). */
      missing: boolean;
      /** What is wrong, ready to follow the path in a sentence: "is a named pipe (FIFO), not a regular file". */
      problem: string;
      cause?: unknown;
    };

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

// Opening a FIFO without O_NONBLOCK waits for a writer; a terminal must not become ours.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): string {
  return `is larger than ${maxBytes >= 1024 ? `${Math.floor(maxBytes / 1024)} KiB` : `${maxBytes} bytes`}, far more than such a file holds`;
}

/**
 * Read `path` as UTF-8 if it is a regular file of at most `maxBytes`: the type is checked on
 * the opened descriptor (so a swap after a check cannot fool it), and reading stops past the cap
 * even if the file grows meanwhile.
 */
export function readRegularFile(path: string, maxBytes: number): FileRead {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, missing: true, problem: 'does not exist', cause: error };
    return {
      ok: false,
      missing: false,
      problem: `could not be read (${code ?? 'unknown error'})`,
      cause: error,
    };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      return { ok: false, missing: false, problem: `is ${kindOf(stats)}, not a regular file` };
    }
    if (stats.size > maxBytes) return { ok: false, missing: false, problem: tooLarge(maxBytes) };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return { ok: false, missing: false, problem: tooLarge(maxBytes) };
      chunks.push(chunk.subarray(0, n));
    }
    return { ok: true, text: Buffer.concat(chunks, total).toString('utf8'), mode: stats.mode };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      missing: false,
      problem: `could not be read (${code ?? 'unknown error'})`,
      cause: error,
    };
  } finally {
    closeSync(fd);
  }
}
