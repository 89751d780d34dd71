import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** The `testmax` bin as the package declares it (a shim that loads the build). */
export const CLI_BIN = join(
  dirname(require.resolve('@testmax/cli/package.json')),
  (require('@testmax/cli/package.json') as { bin: { testmax: string } }).bin.testmax,
);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A throw-away HOME with its own config and state dirs, and no TESTMAX_* from the machine. */
export class CliSandbox {
  private constructor(readonly home: string) {}

  static async create(): Promise<CliSandbox> {
    return new CliSandbox(await mkdtemp(join(tmpdir(), 'testmax-reliability-')));
  }

  get stateDir(): string {
    return join(this.home, 'state', 'testmax');
  }

  /** Tokens in the CLI's token cache right now. */
  async cachedTokens(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.stateDir);
    } catch {
      return [];
    }
    const tokens: string[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const body = JSON.parse(await readFile(join(this.stateDir, name), 'utf8')) as { token?: unknown };
      if (typeof body.token === 'string') tokens.push(body.token);
    }
    return tokens;
  }

  /**
   * Run `testmax args` in the sandbox. `stdin` is piped in (else none); `nodeFlags` go to Node
   * before the bin (e.g. to report memory); `killAfterMs` ends a run that hangs.
   */
  run(
    args: string[],
    env: Record<string, string>,
    options: { stdin?: string; nodeFlags?: string[]; killAfterMs?: number } = {},
  ): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...(options.nodeFlags ?? []), CLI_BIN, ...args], {
        cwd: this.home,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: this.home,
          XDG_CONFIG_HOME: join(this.home, 'config'),
          XDG_STATE_HOME: join(this.home, 'state'),
          NO_COLOR: '1',
          // Never the developer's own keychain (macOS and Windows cannot be sandboxed by HOME).
          TESTMAX_KEYCHAIN: 'off',
          ...env,
        },
        stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        ...(options.killAfterMs === undefined ? {} : { timeout: options.killAfterMs }),
      });
      if (options.stdin !== undefined) {
        child.stdin?.on('error', () => {}); // the CLI may exit before reading it
        child.stdin?.end(options.stdin);
      }
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  dispose(): Promise<void> {
    return rm(this.home, { recursive: true, force: true });
  }
}
