/**
 * A token file of `fileTokenStore`: its format (the scope, the token record, the login lock),
 * how it is read back, written (atomically, 0600 from creation) and locked, and how a failure
 * of the file system is told.
 */
import { StoreError } from './errors.js';
import { storedToken } from './store-support.js';
import type { StoredToken, TokenScope } from './token-store.js';

export interface FileState {
  scope: { baseUrl: string; userName: string; profile?: string };
  token?: { value: string; generation: number; receivedAt: number; refused?: true };
  lock?: { owner: string; expiresAt: number };
}

/**
 * Loaded on first use: proper-lockfile brings graceful-fs and signal-exit (which hooks process
 * exit to remove held locks), which a program that only reads credentials should not pay for.
 */
export function loadLockfile(): Promise<typeof import('proper-lockfile')> {
  return import('proper-lockfile').then((module) => module.default);
}

/** Argument checks throw synchronously; the interface promises rejections. */
export async function settled<T>(run: () => Promise<T>): Promise<T> {
  return run();
}

export function scopeRecord(scope: TokenScope): FileState['scope'] {
  return {
    baseUrl: scope.baseUrl,
    userName: scope.userName,
    ...(scope.profile ? { profile: scope.profile } : {}),
  };
}

export function toStored(token: FileState['token']): StoredToken | undefined {
  if (!token) return undefined;
  return storedToken(
    { token: token.value, receivedAt: token.receivedAt, refused: token.refused },
    token.generation,
  );
}

export function parseState(text: string): FileState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.version !== 1) return undefined;
  const scope = v.scope as Record<string, unknown> | undefined;
  if (
    typeof scope !== 'object' ||
    scope === null ||
    typeof scope.baseUrl !== 'string' ||
    typeof scope.userName !== 'string' ||
    (scope.profile !== undefined && typeof scope.profile !== 'string')
  ) {
    return undefined;
  }
  const state: FileState = { scope: scope as FileState['scope'] };
  const token = v.token as Record<string, unknown> | undefined;
  if (token !== undefined) {
    if (
      typeof token !== 'object' ||
      token === null ||
      typeof token.value !== 'string' ||
      token.value === '' ||
      !Number.isSafeInteger(token.generation) ||
      (token.generation as number) < 1 ||
      !Number.isFinite(token.receivedAt) ||
      (token.refused !== undefined && token.refused !== true)
    ) {
      return undefined;
    }
    state.token = token as FileState['token'];
  }
  const lock = v.lock as Record<string, unknown> | undefined;
  if (lock !== undefined) {
    if (
      typeof lock !== 'object' ||
      lock === null ||
      typeof lock.owner !== 'string' ||
      !Number.isFinite(lock.expiresAt)
    ) {
      return undefined;
    }
    state.lock = lock as FileState['lock'];
  }
  return state;
}

const FS_PROBLEMS: Record<string, string> = {
  ENOTDIR: 'part of the path is a file, not a directory',
  EEXIST: 'the path exists and is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ELOOP: 'too many symbolic links',
};

export function fsError(action: string, file: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const problem = code ? `${code}${FS_PROBLEMS[code] ? `: ${FS_PROBLEMS[code]}` : ''}` : String(error);
  return new StoreError(`Cannot ${action} the token file ${file} (${problem})`, {
    advice: `pass fileTokenStore({ path }) a directory you can write, or fix this one`,
    reason: 'invalid',
    cause: error,
  });
}
