/**
 * A throw-away user for a CLI run: its own HOME, config, state and cache directories, a clean
 * environment (no TESTMAX_* of the machine running the tests), and a reader for the token
 * cache it ends up with (fileTokenStore's files, as the sessions they hold).
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CachedSession {
  file: string;
  /** `{ version, baseUrl, userName, token, expiresAt, refused? }`, or `{}` for a file that is not a token file. */
  body: Record<string, unknown>;
}

export class HomeSandbox {
  constructor(readonly home: string) {}

  /** A new sandbox (of a subclass too: `Sandbox.create()` makes a `Sandbox`). */
  static async create<T extends HomeSandbox>(
    this: new (
      home: string,
    ) => T,
    prefix = 'testmax-home-',
  ): Promise<T> {
    const sandbox = new this(await mkdtemp(join(tmpdir(), prefix)));
    await mkdir(sandbox.cwd, { recursive: true });
    return sandbox;
  }

  /** A working directory inside the sandbox (for a `.env`). */
  get cwd(): string {
    return join(this.home, 'work');
  }
  get stateDir(): string {
    return join(this.home, 'state', 'testmax');
  }
  get configFile(): string {
    return join(this.home, 'config', 'testmax', 'config.json');
  }

  /** The whole environment of a run: nothing from the machine but PATH (and no OS keychain). */
  get env(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      HOME: this.home,
      XDG_CONFIG_HOME: join(this.home, 'config'),
      XDG_STATE_HOME: join(this.home, 'state'),
      XDG_CACHE_HOME: join(this.home, 'cache'),
      TZ: 'UTC',
      LANG: 'C.UTF-8',
      // Never the developer's own keychain: on macOS and Windows it cannot be sandboxed by the
      // environment. The keychain tests start a private Secret Service and turn this back on.
      TESTMAX_KEYCHAIN: 'off',
    };
  }

  /** The token files in the cache, each as the session it holds. */
  async sessions(): Promise<CachedSession[]> {
    let names: string[] = [];
    try {
      names = await readdir(this.stateDir);
    } catch {
      return [];
    }
    const out: CachedSession[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = join(this.stateDir, name);
      // A FIFO or a device put there by a test on purpose: reading it would hang the test.
      if (!(await lstat(file)).isFile()) continue;
      try {
        out.push({ file, body: asSession(JSON.parse(await readFile(file, 'utf8'))) });
      } catch {
        out.push({ file, body: {} }); // a corrupt file, written by a test on purpose
      }
    }
    return out;
  }

  /** The tokens in the cache right now. */
  async cachedTokens(): Promise<string[]> {
    return (await this.sessions()).map((s) => s.body.token).filter((t): t is string => typeof t === 'string');
  }

  async dispose(): Promise<void> {
    await rm(this.home, { recursive: true, force: true });
  }
}

/** A token file (fileTokenStore's format) as the session it stands for. */
function asSession(file: {
  version?: unknown;
  scope?: { baseUrl?: string; userName?: string; profile?: string };
  token?: { value?: string; refused?: boolean };
}): Record<string, unknown> {
  const token = file.token?.value;
  if (typeof token !== 'string') return {};
  let exp: unknown;
  try {
    const payload = Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8');
    exp = (JSON.parse(payload) as { exp?: unknown }).exp;
  } catch {}
  return {
    version: file.version,
    baseUrl: file.scope?.baseUrl,
    userName: file.scope?.userName,
    ...(file.scope?.profile ? { profile: file.scope.profile } : {}),
    token,
    expiresAt: typeof exp === 'number' ? new Date(exp * 1000).toISOString() : null,
    ...(file.token?.refused ? { refused: true } : {}),
  };
}
