import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { BIN } from './helpers.js';

// A real terminal for the CLI (or a shell) without a native addon: a pseudo-terminal from
// python3's pty module. The harness types each step's text once its marker has appeared and
// returns everything the terminal displayed.

const PTY_RUN = join(import.meta.dirname, 'fixtures', 'pty-run.py');

export interface PtyResult {
  transcript: string;
  code: number | null;
  stepsDone: number;
}

export interface PtyStep {
  waitFor: string;
  send?: string;
}

/**
 * Run `argv` on a pseudo-terminal. `typed[i]`, when given, is what step i types: it travels
 * in the environment, never in an argv that `ps` could show, so use it for secrets.
 */
export function runInPty(
  argv: string[],
  env: Record<string, string>,
  steps: PtyStep[] = [],
  typed: string[] = [],
): Promise<PtyResult> {
  const config = JSON.stringify({ argv, steps, timeoutSec: 60 });
  const sendEnv = Object.fromEntries(typed.map((text, i) => [`PTY_SEND_${i}`, text]));
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      [PTY_RUN, config],
      { env: { ...env, ...sendEnv }, timeout: 90_000 },
      (error, stdout) => {
        if (error) reject(error);
        else resolve(JSON.parse(stdout) as PtyResult);
      },
    );
  });
}

/** The CLI on a pseudo-terminal. */
export function runInTerminal(
  args: string[],
  env: Record<string, string>,
  steps: PtyStep[] = [],
  typed: string[] = [],
): Promise<PtyResult> {
  return runInPty([process.execPath, BIN, ...args], env, steps, typed);
}
