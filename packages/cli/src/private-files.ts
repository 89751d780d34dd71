import { constants } from 'node:fs';
import { chmod, lstat, open } from 'node:fs/promises';

// The rules for the CLI's private files (the token cache, the --insecure-storage key files):
// one place, used by both.

/** "readable by group and others", "writable by group": what a loose mode actually allows. */
export function looseness(mode: number): string | undefined {
  const who = (bits: number, groupBit: number, otherBit: number) =>
    [bits & groupBit ? 'group' : undefined, bits & otherBit ? 'others' : undefined]
      .filter(Boolean)
      .join(' and ');
  const readers = who(mode, 0o040, 0o004);
  const writers = who(mode, 0o020, 0o002);
  const runners = who(mode, 0o010, 0o001);
  const parts = [
    readers && `readable by ${readers}`,
    writers && `writable by ${writers}`,
    runners && `executable by ${runners}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/**
 * `chmod 700` a private directory itself, never what a symbolic link there points to (that
 * could be any directory of the user's, locked down by surprise): opened with O_NOFOLLOW and
 * changed through the descriptor, so a link swapped in after a check cannot redirect it.
 */
export async function lockDown(dir: string): Promise<void> {
  const { O_DIRECTORY, O_NOFOLLOW, O_RDONLY } = constants;
  if (O_NOFOLLOW === undefined || O_DIRECTORY === undefined) {
    // Windows: no such flags, and no POSIX modes to protect either.
    if ((await lstat(dir)).isSymbolicLink()) throw Object.assign(new Error('symlink'), { code: 'ELOOP' });
    await chmod(dir, 0o700);
    return;
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (error) {
    // Linux says ENOTDIR for a link when O_DIRECTORY is set too, other systems ELOOP.
    const link = await lstat(dir).then(
      (s) => s.isSymbolicLink(),
      () => false,
    );
    throw link ? Object.assign(new Error('symbolic link'), { code: 'ELOOP' }) : error;
  }
  try {
    await handle.chmod(0o700);
  } finally {
    await handle.close();
  }
}
