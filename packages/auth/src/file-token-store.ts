import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from './errors.js';
import { tokenStoreDir } from './node-paths.js';
import { looseFileWarning } from './permissions.js';
import { writePrivateFile } from './private-file.js';
import { readRegularFile } from './regular-file.js';
import { checkGeneration, checkLockTtl, checkTokenRecord, tokenScopeId } from './store-support.js';
import {
  type FileState,
  fsError,
  loadLockfile,
  parseState,
  scopeRecord,
  settled,
  toStored,
} from './token-file.js';
import type { StoredToken, TokenRecord, TokenScope, TokenStore, TokenStoreLock } from './token-store.js';

export { tokenStoreDir };

export interface FileTokenStoreOptions {
  /**
   * The directory of the token files; default `$XDG_STATE_HOME/testmax` (`~/.local/state/testmax`),
   * where the `testmax` CLI keeps its session. Created with mode 0700 at the first write.
   */
  path?: string;
  /** Receives warnings (a token file others can read, one that is not ours); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

/** A token file is a few hundred bytes; anything this large is not one. */
const MAX_FILE_BYTES = 64 * 1024;
/**
 * The per-file mutex guarding each read-modify-write is held for milliseconds; a holder that
 * stops refreshing it for this long (it crashed) loses it. proper-lockfile's floor is 2 s.
 */
const MUTEX_STALE_MS = 10_000;
/** Give up on the mutex after this, which is enough to outlive a crashed holder's. */
const MUTEX_WAIT_MS = MUTEX_STALE_MS + 2_000;

/**
 * Processes on one machine sharing a token: one 0600 file per base URL, user and profile,
 * named by a hash of them (never the API key, which is not stored). Writes go to a temporary
 * file created 0600, flushed and renamed over the old one, so a reader never sees half a file
 * and the mode is never loose, not even for a moment. Every read-modify-write holds a
 * per-file mutex (proper-lockfile) that a crashed holder loses after 10 s; the login lock
 * itself is a record in the file with an expiry time, so a holder that dies lets the next one
 * in after the lock's TTL, as in every other store.
 */
/** A `TokenStore` in files, which can also say where a scope's file is and whose tokens it holds. */
export interface FileTokenStore extends TokenStore {
  /** The directory of the token files. */
  readonly dir: string;
  /** The file that holds `scope`'s token (whether it exists or not). */
  fileOf(scope: TokenScope): string;
  /**
   * Every scope with a token in the directory, with when that token was received, newest
   * first (a tool such as the CLI picks the last user who logged in this way).
   */
  scopes(): Promise<{ scope: TokenScope; receivedAt: number }[]>;
}

export function fileTokenStore(options: FileTokenStoreOptions = {}): FileTokenStore {
  const dir = options.path ?? tokenStoreDir();
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message));
  const warned = new Set<string>();
  /** file → the last queued read-modify-write of this store on it. */
  const queues = new Map<string, Promise<void>>();
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    warn(message);
  };

  function fileOf(scope: TokenScope): { id: string; file: string } {
    const id = tokenScopeId(scope);
    const hash = createHash('sha256').update(id).digest('hex').slice(0, 32);
    return { id, file: join(dir, `token-${hash}.json`) };
  }

  async function read(id: string, file: string): Promise<FileState | undefined> {
    let found: Awaited<ReturnType<typeof readRegularFile>>;
    try {
      found = await readRegularFile(file, { maxBytes: MAX_FILE_BYTES });
    } catch (error) {
      throw fsError('read', file, error);
    }
    if (found.kind === 'missing') return undefined;
    if (found.kind === 'refused') {
      throw new StoreError(`The token file ${file} ${found.problem}`, {
        advice: `remove it`,
        reason: 'invalid',
      });
    }
    const loose = looseFileWarning('The token file', file, found.mode);
    if (loose) warnOnce(`mode:${file}`, loose);
    const state = parseState(found.text);
    if (!state || tokenScopeId(state.scope) !== id) {
      warnOnce(
        `shape:${file}`,
        `Ignoring ${file}: not a testmax session file (it is replaced at the next write).`,
      );
      return undefined;
    }
    return state;
  }

  async function write(file: string, state: FileState): Promise<void> {
    try {
      if (!state.token && !state.lock) {
        await rm(file, { force: true });
        return;
      }
      await writePrivateFile(file, `${JSON.stringify({ version: 1, ...state }, null, 2)}\n`);
    } catch (error) {
      throw fsError('write', file, error);
    }
  }

  /**
   * Read, change and write one file while holding its mutex. Callers in this process queue
   * for the file in order first, so they do not poll the mutex against each other.
   */
  function update<T>(
    scope: TokenScope,
    change: (
      state: FileState | undefined,
      scopeOfFile: FileState['scope'],
    ) => { next?: FileState; result: T },
  ): Promise<T> {
    const { id, file } = fileOf(scope);
    const previous = queues.get(file) ?? Promise.resolve();
    const run = previous.then(async () => {
      const release = await takeMutex(file);
      try {
        const state = await read(id, file);
        const { next, result } = change(state, scopeRecord(scope));
        if (next) await write(file, next);
        return result;
      } finally {
        await release().catch(() => {});
      }
    });
    const tail = run.then(
      () => {},
      () => {},
    );
    queues.set(file, tail);
    void tail.then(() => {
      if (queues.get(file) === tail) queues.delete(file);
    });
    return run;
  }

  async function takeMutex(file: string): Promise<() => Promise<void>> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw fsError('create the directory of', file, error);
    }
    const { lock } = await loadLockfile();
    const deadline = Date.now() + MUTEX_WAIT_MS;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await lock(file, {
          realpath: false,
          lockfilePath: `${file}.lock`,
          stale: MUTEX_STALE_MS,
          // The section it guards lasts milliseconds; by the time this fires it has ended.
          onCompromised: () => {},
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw fsError('lock', file, error);
        if (Date.now() >= deadline) {
          throw new StoreError(
            `The token file ${file} stayed locked by another process for ${MUTEX_WAIT_MS / 1000} s`,
            { advice: `try again` },
          );
        }
        // Short, growing, jittered pauses: holders leave within milliseconds.
        const ms = Math.min(100, 2 + attempt * 3) * (0.5 + Math.random());
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
    }
  }

  return {
    dir,
    fileOf: (scope) => fileOf(scope).file,

    async scopes() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return [];
      }
      const found: { scope: TokenScope; receivedAt: number }[] = [];
      for (const name of names) {
        if (!/^token-[0-9a-f]{32}\.json$/.test(name)) continue;
        const file = join(dir, name);
        const read = await readRegularFile(file, { maxBytes: MAX_FILE_BYTES }).catch(() => undefined);
        if (read?.kind !== 'text') continue;
        const state = parseState(read.text);
        if (!state || fileOf(state.scope).file !== file) {
          warnOnce(
            `shape:${file}`,
            `Ignoring ${file}: not a testmax session file (it is replaced at the next write).`,
          );
        } else if (state.token) {
          found.push({ scope: state.scope, receivedAt: state.token.receivedAt });
        }
      }
      return found.sort((a, b) => b.receivedAt - a.receivedAt);
    },

    async get(scope: TokenScope): Promise<StoredToken | undefined> {
      const { id, file } = fileOf(scope);
      return toStored((await read(id, file))?.token);
    },

    compareAndSet(scope: TokenScope, expectedGeneration: number, record: TokenRecord) {
      return settled(() => {
        checkGeneration(expectedGeneration);
        checkTokenRecord(record);
        return update(scope, (state, scopeOfFile) => {
          if ((state?.token?.generation ?? 0) !== expectedGeneration) return { result: undefined };
          const token: NonNullable<FileState['token']> = {
            value: record.token,
            generation: expectedGeneration + 1,
            receivedAt: record.receivedAt,
            ...(record.refused ? { refused: true as const } : {}),
          };
          return { next: { ...state, scope: scopeOfFile, token }, result: toStored(token) };
        });
      });
    },

    delete(scope: TokenScope, expectedGeneration?: number) {
      return settled(() => {
        if (expectedGeneration !== undefined) checkGeneration(expectedGeneration);
        return update(scope, (state, scopeOfFile) => {
          const current = state?.token;
          if (!current) return { result: false };
          if (expectedGeneration !== undefined && current.generation !== expectedGeneration) {
            return { result: false };
          }
          const { token: _token, ...rest } = state as FileState;
          return { next: { ...rest, scope: scopeOfFile }, result: true };
        });
      });
    },

    tryLock(scope: TokenScope, ttlMs: number): Promise<TokenStoreLock | undefined> {
      return settled(async () => {
        checkLockTtl(ttlMs);
        const owner = randomUUID();
        const taken = await update(scope, (state, scopeOfFile) => {
          const now = Date.now();
          if (state?.lock && state.lock.expiresAt > now) return { result: false };
          return {
            next: { ...state, scope: scopeOfFile, lock: { owner, expiresAt: now + ttlMs } },
            result: true,
          };
        });
        if (!taken) return undefined;
        return {
          async release() {
            // Compare-and-delete; never rejects (a lock it cannot give back expires anyway).
            await update(scope, (state, scopeOfFile) => {
              if (!state || state.lock?.owner !== owner) return { result: undefined };
              const { lock: _lock, ...rest } = state;
              return { next: { ...rest, scope: scopeOfFile }, result: undefined };
            }).catch(() => {});
          },
        };
      });
    },
  };
}
