/**
 * Run a command (a Node script: a package's bin, a fixture; or a shell) as a child process to
 * its end: the one way every suite runs a process it waits for. stdin is piped in when given
 * (else empty), stdout and stderr are collected, and a run that hangs is killed after
 * `killAfterMs` (code null, signal set). A long-running server is `startProcess` (processes.ts).
 */
import { spawn } from 'node:child_process';

export interface NodeRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** '' when stdout went elsewhere (`stdout: 'closed'` or a file descriptor). */
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Piped to stdin; `undefined`: stdin is closed at once (an empty pipe). */
  stdin?: string;
  /**
   * Where stdout goes: collected (`'pipe'`, the default); `'closed'`, a reader that closed the
   * pipe before anything was written (the process's writes fail with EPIPE); or a file
   * descriptor the caller opened (`/dev/full`, to see a failed write).
   */
  stdout?: 'pipe' | 'closed' | number;
  /** Kill the run after this long. Default 45 s: longer than any command against a local server. */
  killAfterMs?: number;
}

export interface NodeRunOptions extends RunOptions {
  /** Flags for Node before the script (`--import`, `--expose-gc`). */
  nodeFlags?: readonly string[];
}

/** `script` is a file, or `'--eval'` with the code as the first of `args`. */
export function runNode(
  script: string,
  args: readonly string[],
  options: NodeRunOptions = {},
): Promise<NodeRunResult> {
  return runCommand(process.execPath, [...(options.nodeFlags ?? []), script, ...args], options);
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<NodeRunResult> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env ?? process.env))
    if (value !== undefined) env[name] = value;
  const stdoutTo = options.stdout ?? 'pipe';
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['pipe', typeof stdoutTo === 'number' ? stdoutTo : 'pipe', 'pipe'],
      timeout: options.killAfterMs ?? 45_000,
    });
    let stdout = '';
    let stderr = '';
    if (stdoutTo === 'closed') child.stdout?.destroy();
    else
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin!.on('error', () => {}); // the process may exit before reading stdin
    child.stdin!.end(options.stdin ?? '');
  });
}
