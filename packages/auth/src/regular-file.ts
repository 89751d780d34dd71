/**
 * The files-that-are-not-files rule, in one place for every file the SDK and the CLI read that a
 * user (or a cloned repository) controls — `.env`, the config file, token files: read only a
 * regular file of at most `maxBytes`. A FIFO, a device such as `/dev/zero` (`.env -> /dev/zero`
 * ships in a repository as easily as a file), a directory or a huge file is refused, never a
 * hang or a process out of memory. Node only.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** `.env` and config files: far beyond any real one (they hold a handful of short values). */
export const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;

/** What reading a file the user controls found. */
export type RegularFileRead =
  | { readonly kind: 'text'; readonly text: string; readonly mode: number }
  | { readonly kind: 'missing' }
  /** Not read: `problem` says why in words that fit after the path ("is a FIFO, not a file"). */
  | { readonly kind: 'refused'; readonly problem: string };

// Opened without blocking: a FIFO with no writer would block `open` itself. Never as a
// controlling terminal either.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function tooLarge(maxBytes: number): RegularFileRead {
  return { kind: 'refused', problem: `is larger than ${maxBytes} bytes, too large to be what it should be` };
}

function describeKind(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'something else';
}

/** The verdict on an opened file's type and size, before reading it. */
function refusal(info: Stats, maxBytes: number): RegularFileRead | undefined {
  if (!info.isFile()) return { kind: 'refused', problem: `is ${describeKind(info)}, not a file` };
  if (info.size > maxBytes) return tooLarge(maxBytes);
  return undefined;
}

/**
 * Read a small text file only when it is a regular file of at most `maxBytes`: opened without
 * blocking, checked after opening (no window between a check and the read), read to at most
 * `maxBytes + 1` bytes (a file that grows after the check is refused too). A missing file is
 * `missing`; any other error (permission denied) is thrown as it came.
 */
export async function readRegularFile(
  path: string,
  options: { readonly maxBytes: number },
): Promise<RegularFileRead> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    const info = await handle.stat();
    const refused = refusal(info, options.maxBytes);
    if (refused) return refused;
    const buffer = Buffer.alloc(options.maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > options.maxBytes) return tooLarge(options.maxBytes);
    return { kind: 'text', text: buffer.subarray(0, length).toString('utf8'), mode: info.mode };
  } finally {
    await handle.close().catch(() => {});
  }
}

/** {@link readRegularFile} for synchronous code (the credentials chain, read at construction). */
export function readRegularFileSync(path: string, options: { readonly maxBytes: number }): RegularFileRead {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    const info = fstatSync(fd);
    const refused = refusal(info, options.maxBytes);
    if (refused) return refused;
    // Sized by what the file says, not by the cap: a 200-byte .env needs no 1 MiB buffer.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, options.maxBytes + 1));
      const bytesRead = readSync(fd, chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > options.maxBytes) return tooLarge(options.maxBytes);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return { kind: 'text', text: Buffer.concat(chunks, length).toString('utf8'), mode: info.mode };
  } finally {
    closeSync(fd);
  }
}
