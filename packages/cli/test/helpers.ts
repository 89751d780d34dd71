import { closeSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { leaksIn } from '@testmax/test-support/guards';
import { HomeSandbox } from '@testmax/test-support/home-sandbox';
import { runNode } from '@testmax/test-support/run-node';
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
 * A throw-away user (test-support's HOME sandbox: its own HOME and XDG dirs, a clean
 * environment), with a record of every secret it has seen, so each run can check that no key
 * or token leaked into its output.
 */
export class Sandbox extends HomeSandbox {
  readonly secrets = new Set<string>();
  private readonly tokens = new Set<string>();

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
    expect(
      leaksIn([output], this.secrets),
      `the API key leaked into the output of testmax ${args.join(' ')}`,
    ).toEqual([]);
    const command = args.find((arg) => !arg.startsWith('-') && !isOptionValue(args, arg));
    const tokenOnStdoutAllowed = command === 'token';
    expect(
      leaksIn([tokenOnStdoutAllowed ? result.stderr : output], this.tokens),
      `a session token leaked into the output of testmax ${args.join(' ')}`,
    ).toEqual([]);
  }
}

function isOptionValue(args: string[], arg: string): boolean {
  const index = args.indexOf(arg);
  return index > 0 && ['--base-url', '--username', '-u'].includes(args[index - 1]!);
}

/** Longer than any command takes against a local server; a run past it hangs (killed, code null). */
export const HANG_MS = 45_000;

export async function spawnCli(
  args: string[],
  options: { env: Record<string, string>; cwd: string; stdin?: string },
): Promise<RunResult> {
  // A run that hangs is killed before the test times out, so the test reports it.
  const { code, stdout, stderr } = await runNode(BIN, args, { ...options, killAfterMs: HANG_MS });
  return { code, stdout, stderr };
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
    const { code, stderr } = await runNode(BIN, args, {
      env: { ...sandbox.env, ...env },
      cwd: sandbox.cwd,
      stdout: fd,
      killAfterMs: HANG_MS,
    });
    return { code, stderr };
  } finally {
    closeSync(fd);
  }
}

/** Any C0 or C1 control character other than a newline (what must never reach a terminal). */
export function hasControlCharacters(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  return /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(text);
}
