import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { looseFileWarning, normalizeScope, readRegularFile, writePrivateFile } from '@testmax/auth/node';
import { CliError, ExitCode } from '../exit-codes.js';
import { keyFileDir } from '../paths.js';
import { lockDown } from '../private-files.js';
import { type KeyScope, sameScope, scopeId } from './key-scope.js';

/** A key file is a few hundred bytes: anything much bigger is not one. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

interface KeyFileBody {
  version: 1;
  baseUrl: string;
  userName: string;
  profile: string | null;
  apiKey: string;
}

/**
 * `login --insecure-storage`: the API key in a plain file of mode 0600 (in a 0700 directory),
 * one per base URL, user and profile, as `gh auth login --insecure-storage` does. Anyone who can
 * read your files as you can read it: the OS keychain is the better place when there is one.
 */
export class KeyFiles {
  readonly dir: string;

  constructor(
    env: NodeJS.ProcessEnv,
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.dir = keyFileDir(env);
  }

  fileFor(scope: KeyScope): string {
    return join(this.dir, `key-${scopeId(scope)}.json`);
  }

  /** The saved key, or undefined when there is none (or the file is unusable: said in a warning). */
  async read(scope: KeyScope): Promise<string | undefined> {
    const file = this.fileFor(scope);
    let read: Awaited<ReturnType<typeof readRegularFile>>;
    try {
      read = await readRegularFile(file, { maxBytes: MAX_KEY_FILE_BYTES });
    } catch (error) {
      this.warn(
        `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}); fix its permissions, or remove it and log in again`,
      );
      return undefined;
    }
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'refused') {
      this.warn(`ignoring ${file}: it ${read.problem}; remove it, then log in again`);
      return undefined;
    }
    const loose = looseFileWarning('the API key file', file, read.mode);
    if (loose) this.warn(loose);
    const body = parse(read.text);
    if (!body || !sameScope(scope, { ...body, profile: body.profile ?? undefined })) {
      this.warn(`ignoring ${file}: not a testmax API key file for this user; remove it, then log in again`);
      return undefined;
    }
    return body.apiKey;
  }

  /** Write atomically (a reader never sees half a key), 0600 from creation: `writePrivateFile`. */
  async write(scope: KeyScope, apiKey: string): Promise<string> {
    const file = this.fileFor(scope);
    const body: KeyFileBody = {
      version: 1,
      baseUrl: normalizeScope(scope).baseUrl,
      userName: scope.userName,
      profile: scope.profile ?? null,
      apiKey,
    };
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await lockDown(this.dir);
      await writePrivateFile(file, `${JSON.stringify(body, null, 2)}\n`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new CliError(
        ExitCode.error,
        `Cannot write the API key file in ${this.dir} (${code}).`,
        'Make it a directory you can write to, or set XDG_CONFIG_HOME to one.',
        { cause: error },
      );
    }
    return file;
  }

  /** Remove the key file; true when there was one. */
  async remove(scope: KeyScope): Promise<boolean> {
    const file = this.fileFor(scope);
    try {
      await rm(file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new CliError(
        ExitCode.error,
        `Cannot delete the API key file ${file} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}).`,
        'Delete it by hand: it holds your API key.',
        { cause: error },
      );
    }
  }
}

function parse(text: string): KeyFileBody | undefined {
  try {
    const value = JSON.parse(text) as Partial<KeyFileBody> | null;
    if (
      value &&
      value.version === 1 &&
      typeof value.baseUrl === 'string' &&
      typeof value.userName === 'string' &&
      (typeof value.profile === 'string' || value.profile === null) &&
      typeof value.apiKey === 'string' &&
      value.apiKey.trim() !== ''
    ) {
      return value as KeyFileBody;
    }
  } catch {
    // corrupt: treated as absent, with a warning
  }
  return undefined;
}
