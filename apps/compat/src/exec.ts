import { type NodeRunResult, runCommand } from '@testmax/test-support/run-node';

export type RunResult = NodeRunResult;

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Kill the process after this long; generous by default, this is a shared 2-core machine. */
  timeoutMs?: number;
}

/**
 * Run a command without a shell and collect its output; never rejects on a non-zero exit
 * (test-support's `runCommand`, with this suite's generous default timeout).
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runCommand(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdin: options.input,
    killAfterMs: options.timeoutMs ?? 300_000,
  });
}

/** Like {@link run}, but a non-zero exit is an error that shows the command's output. */
export async function runOk(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.code ?? result.signal}\n` +
        `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result;
}
