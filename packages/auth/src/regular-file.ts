import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** What reading a file the user controls found. */
export type RegularFileRead =
  | { readonly kind: 'text'; readonly text: string; readonly mode: number }
  | { readonly kind: 'missing' }
  /** Not read: `problem` says why in words that fit after the path ("is a FIFO, not a file"). */
  | { readonly kind: 'refused'; readonly problem: string };

/**
 * Read a small text file only when it is a regular file of at most `maxBytes`: a FIFO, a
 * device such as `/dev/zero`, a directory or a huge file is refused, never a hang or a process
 * out of memory. Opened without blocking (a FIFO with no writer would block `open`), checked
 * after opening (no window between a check and the read), read to at most `maxBytes + 1`
 * bytes (a file that grows after the check is refused too). A missing file is `missing`; any
 * other error (permission denied) is thrown as it came.
 */
export async function readRegularFile(
  path: string,
  options: { readonly maxBytes: number },
): Promise<RegularFileRead> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { kind: 'refused', problem: `is ${describeKind(info)}, not a file` };
    if (info.size > options.maxBytes) return tooLarge(options.maxBytes);
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
