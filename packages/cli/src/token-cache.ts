import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isHeaderSafeToken, type RegularFileRead, readRegularFile } from '@testmax/auth/node';
import { CliError, ExitCode } from './exit-codes.js';
import { lockDown, looseness } from './private-files.js';

/** A session file is a few hundred bytes (a token is rarely over 4 KiB): anything bigger is not one. */
const MAX_SESSION_FILE_BYTES = 64 * 1024;

/** One cached session: never the API key, only what a later command needs to reuse the token. */
export interface CachedSession {
  baseUrl: string;
  userName: string;
  /** The config-file profile it belongs to; absent for the top level. Each keeps its own token. */
  profile?: string;
  token: string;
  /** ISO 8601, or null when the token carries no readable expiry. */
  expiresAt: string | null;
  /** ISO 8601 time of the last write; picks the active user when none is configured. */
  savedAt: string;
}

interface CacheFile extends CachedSession {
  version: 1;
}

export function normaliseBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

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
function cacheError(action: string, dir: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const problem = code ? `${code}${FS_PROBLEMS[code] ? `: ${FS_PROBLEMS[code]}` : ''}` : String(error);
  return new CliError(
    ExitCode.error,
    `Cannot ${action} the token cache in ${dir} (${problem}).`,
    'Make it a directory you can write to, or set XDG_STATE_HOME to one (the cache is $XDG_STATE_HOME/testmax).',
    { cause: error },
  );
}

/**
 * Token files live in one 0700 directory, one 0600 file per base URL and user. The file name is
 * a hash so that user names (e-mail addresses) and URLs never need escaping.
 */
export class TokenCache {
  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  fileFor(baseUrl: string, userName: string, profile?: string): string {
    // Without a profile, the key the cache has always used: saved sessions stay valid.
    const key = `${normaliseBaseUrl(baseUrl)}\n${userName.toLowerCase()}${profile ? `\nprofile ${profile}` : ''}`;
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 24);
    return join(this.dir, `session-${hash}.json`);
  }

  async read(baseUrl: string, userName: string, profile?: string): Promise<CachedSession | undefined> {
    return this.readFile(this.fileFor(baseUrl, userName, profile), baseUrl, profile);
  }

  /** The most recently saved session for this base URL (and profile), when the user is not known. */
  async latest(baseUrl: string, profile?: string): Promise<CachedSession | undefined> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return undefined;
    }
    let best: CachedSession | undefined;
    for (const name of names) {
      if (!/^session-[0-9a-f]+\.json$/.test(name)) continue;
      const session = await this.readFile(join(this.dir, name), baseUrl, profile);
      if (session && (!best || session.savedAt > best.savedAt)) best = session;
    }
    return best;
  }

  /**
   * Write atomically (temp file + rename, so a reader never sees half a file) and chmod on every
   * write: `mode` in open() only applies when the file is created, and a directory made by
   * someone else may be looser than 0700.
   */
  async write(session: Omit<CachedSession, 'savedAt'>): Promise<CachedSession> {
    const saved: CachedSession = {
      ...session,
      baseUrl: normaliseBaseUrl(session.baseUrl),
      savedAt: new Date().toISOString(),
    };
    const file = this.fileFor(saved.baseUrl, saved.userName, saved.profile);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const body: CacheFile = { version: 1, ...saved };
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await lockDown(this.dir);
      await writeFile(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await chmod(temp, 0o600);
      await rename(temp, file);
      await chmod(file, 0o600);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw cacheError('write', this.dir, error);
    }
    return saved;
  }

  /** Remove a session file; true when there was one. */
  async remove(baseUrl: string, userName: string, profile?: string): Promise<boolean> {
    const file = this.fileFor(baseUrl, userName, profile);
    try {
      await stat(file);
    } catch {
      return false;
    }
    try {
      await rm(file, { force: true });
    } catch (error) {
      throw cacheError('delete a file from', this.dir, error);
    }
    return true;
  }

  private async readFile(
    file: string,
    baseUrl: string,
    profile?: string,
  ): Promise<CachedSession | undefined> {
    // A FIFO or a device here must not hang or exhaust the command: only a regular file is read.
    let read: RegularFileRead;
    try {
      read = await readRegularFile(file, { maxBytes: MAX_SESSION_FILE_BYTES });
    } catch {
      return undefined; // unreadable (permissions): as good as absent
    }
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'refused') {
      this.warn(`ignoring ${file}: it ${read.problem}; remove it (testmax keeps a session file there)`);
      return undefined;
    }
    const loose = looseness(read.mode);
    if (loose) {
      this.warn(
        `the session file ${file} is ${loose} (mode ${(read.mode & 0o777).toString(8)}); run: chmod 600 ${file}`,
      );
    }
    const parsed = parseCacheFile(read.text);
    if (!parsed) {
      this.warn(`ignoring ${file}: not a testmax session file (it will be replaced at the next login)`);
      return undefined;
    }
    if (parsed.baseUrl !== normaliseBaseUrl(baseUrl) || (parsed.profile ?? undefined) !== profile)
      return undefined;
    const { version: _version, ...session } = parsed;
    return session;
  }
}

function parseCacheFile(text: string): CacheFile | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as Record<string, unknown>;
    if (
      v.version === 1 &&
      typeof v.baseUrl === 'string' &&
      typeof v.userName === 'string' &&
      typeof v.token === 'string' &&
      // A token that cannot go back out as a header is no session (the SDK refuses those too).
      isHeaderSafeToken(v.token) &&
      (typeof v.expiresAt === 'string' || v.expiresAt === null) &&
      typeof v.savedAt === 'string' &&
      (v.profile === undefined || typeof v.profile === 'string')
    ) {
      return v as unknown as CacheFile;
    }
  } catch {
    // Fall through: a corrupt file is treated as absent.
  }
  return undefined;
}
