/**
 * The token cache's directory: `$XDG_STATE_HOME/testmax` (auth's `tokenStoreDir`), the home of
 * `fileTokenStore`, which the CLI and bots on the machine share. The CLI keeps it a real
 * directory locked to the user: a symbolic link there is refused before anything is written
 * through it, and it is `chmod 700`-ed (through the descriptor, never through a link) whenever
 * a token is saved.
 */
import { lstat, mkdir } from 'node:fs/promises';
import { type FileTokenStore, fileTokenStore, tokenStoreDir } from '@testmax/auth/node';
import type { Context } from './context.js';
import { CliError, ExitCode } from './exit-codes.js';
import { lockDown as lockDownDir } from './private-files.js';

const FS_PROBLEMS: Record<string, string> = {
  ELOOP: 'it is a symbolic link; the cache must be a real directory, locked to you (chmod 700)',
  ENOTDIR: 'part of that path is a file, not a directory',
  EEXIST: 'that path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

/**
 * A file-system failure on the cache as one line that names the directory and the setting
 * that moves it, instead of "Unexpected error": it is the machine's state, not a bug.
 */
export function cacheError(action: string, dir: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? codeIn(error);
  const problem = code ? `${code}${FS_PROBLEMS[code] ? `: ${FS_PROBLEMS[code]}` : ''}` : 'unknown error';
  return new CliError(
    ExitCode.error,
    `Cannot ${action} the token cache in ${dir} (${problem}).`,
    'Make it a directory you can write to, or set XDG_STATE_HOME to one (the cache is $XDG_STATE_HOME/testmax).',
    { cause: error },
  );
}

/** A StoreError's file-system code, from its cause. */
function codeIn(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

const symlinkError = () => Object.assign(new Error('symbolic link'), { code: 'ELOOP' });

/** The cache directory and its store, as the environment places them. */
export function openTokenStore(context: Context): FileTokenStore {
  return fileTokenStore({
    path: tokenStoreDir(context.env),
    onWarning: (message) => context.output.warn(message),
  });
}

/** Refuse a cache directory that is a symbolic link, before anything goes through it. */
export async function refuseLinkedDir(dir: string): Promise<void> {
  const info = await lstat(dir).catch(() => undefined);
  if (info?.isSymbolicLink()) throw cacheError('use', dir, symlinkError());
}

/** Make the directory (0700) and lock it down (see private-files.ts); a failure names the directory. */
export async function lockDown(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await lockDownDir(dir);
  } catch (error) {
    throw cacheError('write', dir, error);
  }
}
