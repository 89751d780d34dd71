import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN_DIR, PACKAGE_DIR } from './paths.js';

/** The package's own scripts: what CI runs, and what the docs page shows. */
export const SCRIPTS = (
  JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

export interface RunResult {
  code: number | null;
  /** stdout and stderr together, colours stripped. */
  output: string;
}

/** Run a command line as `pnpm run` would: through sh, in the package, its bins on PATH. */
export function runCommand(
  command: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], {
      cwd: options.cwd ?? PACKAGE_DIR,
      env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}`, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: stripAnsi(output) });
    });
  });
}

/** Run one of the package's scripts by name. */
export function runScript(name: string, options?: Parameters<typeof runCommand>[1]): Promise<RunResult> {
  const command = SCRIPTS[name];
  if (command === undefined) throw new Error(`apps/consumers has no script ${name}`);
  return runCommand(command, options);
}

/**
 * The lines of a generator's output that are warnings or errors. Generators report spec
 * problems this way while still exiting 0 (orval: "⚠️ SyntaxError: Swagger schema validation
 * failed"), so a clean run is one with none of these.
 */
export function warningsIn(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => /warn|⚠|\berror\b|fail|invalid|deprecat|unsupported/i.test(line));
}

export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
