import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/**
 * The binary under test: the package's bin (a shim that loads the fresh build), as users run
 * it, or `TESTMAX_TEST_BIN` (another build, e.g. the one before a fix, to see that the test for
 * it fails there).
 */
export const BIN = process.env.TESTMAX_TEST_BIN ?? join(import.meta.dirname, '..', 'bin', 'testmax.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/**
 * A throw-away user: its own HOME and XDG dirs, a clean environment (no TESTMAX_* from the
 * machine running the tests), and a record of every secret it has seen, so each run can check
 * that no key or token leaked into its output.
 */
export class Sandbox {
  readonly secrets = new Set<string>();
  private readonly tokens = new Set<string>();

  private constructor(readonly home: string) {}

  static async create(): Promise<Sandbox> {
    const home = await mkdtemp(join(tmpdir(), 'testmax-cli-test-'));
    const sandbox = new Sandbox(home);
    await mkdir(sandbox.cwd, { recursive: true });
    return sandbox;
  }

  get cwd(): string {
    return join(this.home, 'work');
  }
  get stateDir(): string {
    return join(this.home, 'state', 'testmax');
  }
  get configFile(): string {
    return join(this.home, 'config', 'testmax', 'config.json');
  }

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

  /** Remember a key so every later run checks its output for it. */
  secret(value: string): string {
    this.secrets.add(value);
    return value;
  }

  async writeConfig(values: Record<string, string>, mode = 0o600): Promise<void> {
    await mkdir(join(this.home, 'config', 'testmax'), { recursive: true });
    await writeFile(this.configFile, JSON.stringify(values), { mode });
  }

  async writeDotEnv(text: string): Promise<void> {
    await writeFile(join(this.cwd, '.env'), text, { mode: 0o600 });
  }

  /** Session files in the token cache, parsed. */
  async sessions(): Promise<{ file: string; body: Record<string, unknown> }[]> {
    let names: string[] = [];
    try {
      names = await readdir(this.stateDir);
    } catch {
      return [];
    }
    const out = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = join(this.stateDir, name);
      // A FIFO or a device put there by a test on purpose: reading it would hang the test.
      if (!(await lstat(file)).isFile()) continue;
      try {
        out.push({ file, body: JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown> });
      } catch {
        out.push({ file, body: {} }); // a corrupt file, written by a test on purpose
      }
    }
    return out;
  }

  async run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const env = { ...this.env, ...options.env };
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
    const result = await spawnCli(args, {
      ...options,
      env: env as Record<string, string>,
      cwd: options.cwd ?? this.cwd,
    });
    for (const session of await this.sessions()) {
      if (typeof session.body.token === 'string') this.tokens.add(session.body.token);
    }
    this.checkLeaks(args, result);
    return result;
  }

  private checkLeaks(args: string[], result: RunResult): void {
    const output = `${result.stdout}\n${result.stderr}`;
    for (const secret of this.secrets) {
      expect(output.includes(secret), `the API key leaked into the output of testmax ${args.join(' ')}`).toBe(
        false,
      );
    }
    const command = args.find((arg) => !arg.startsWith('-') && !isOptionValue(args, arg));
    const tokenOnStdoutAllowed = command === 'token';
    for (const token of this.tokens) {
      const leaked = tokenOnStdoutAllowed ? result.stderr.includes(token) : output.includes(token);
      expect(leaked, `a session token leaked into the output of testmax ${args.join(' ')}`).toBe(false);
    }
  }

  async dispose(): Promise<void> {
    await rm(this.home, { recursive: true, force: true });
  }
}

function isOptionValue(args: string[], arg: string): boolean {
  const index = args.indexOf(arg);
  return index > 0 && ['--base-url', '--username', '-u'].includes(args[index - 1]!);
}

/** Longer than any command takes against a local server; a run past it hangs (killed, code null). */
export const HANG_MS = 45_000;

export function spawnCli(
  args: string[],
  options: { env: Record<string, string>; cwd: string; stdin?: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: options.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      // A run that hangs is killed before the test times out, so the test reports it.
      timeout: HANG_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the CLI may exit before reading stdin
    child.stdin.end(options.stdin ?? '');
  });
}

/** Parse the single JSON document a `--json` run printed (fails the test if there is not exactly one). */
export function jsonOf(result: RunResult): Record<string, unknown> {
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Run the CLI with stdout on a file (`/dev/full`, to see a failed write), stderr captured. */
export async function runToFile(
  sandbox: Sandbox,
  args: string[],
  path: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  const fd = openSync(path, 'w');
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { ...sandbox.env, ...env },
        cwd: sandbox.cwd,
        stdio: ['ignore', fd, 'pipe'],
      });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
  } finally {
    closeSync(fd);
  }
}

/** Any C0 or C1 control character other than a newline (what must never reach a terminal). */
export function hasControlCharacters(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  return /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(text);
}
