import { constants } from 'node:fs';
import { chmod, lstat, open } from 'node:fs/promises';

// The rules for the CLI's private directories (the token cache, the --insecure-storage key
// files): one place, used by both. What a loose mode allows, and the warning about it, is the
// SDK's rule (`looseFileWarning`).

const symlinkError = () => Object.assign(new Error('symbolic link'), { code: 'ELOOP' });

/**
 * `chmod 700` a private directory itself, never what a symbolic link there points to (that
 * could be any directory of the user's, locked down by surprise): opened with O_NOFOLLOW and
 * changed through the descriptor, so a link swapped in after a check cannot redirect it.
 */
export async function lockDown(dir: string): Promise<void> {
  const { O_DIRECTORY, O_NOFOLLOW, O_RDONLY } = constants;
  if (O_NOFOLLOW === undefined || O_DIRECTORY === undefined) {
    // Windows: no such flags, and no POSIX modes to protect either.
    if ((await lstat(dir)).isSymbolicLink()) throw symlinkError();
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
    throw link ? symlinkError() : error;
  }
  try {
    await handle.chmod(0o700);
  } finally {
    await handle.close();
  }
}
