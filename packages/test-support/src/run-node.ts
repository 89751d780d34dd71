/**
 * Run a Node script (a package's bin, a fixture) as a child process to its end: the one way
 * every suite spawns a bin. stdin is piped in when given (else empty), stdout and stderr are
 * collected, and a run that hangs is killed after `killAfterMs` (code null, signal set).
 */
import { spawn } from 'node:child_process';

export interface NodeRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface NodeRunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Piped to stdin; `undefined`: stdin is closed at once (an empty pipe). */
  stdin?: string;
  /** Flags for Node before the script (`--import`, `--expose-gc`). */
  nodeFlags?: readonly string[];
  /** Kill the run after this long. Default 45 s: longer than any command against a local server. */
  killAfterMs?: number;
}

export function runNode(
  script: string,
  args: readonly string[],
  options: NodeRunOptions = {},
): Promise<NodeRunResult> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env ?? process.env))
    if (value !== undefined) env[name] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), script, ...args], {
      env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.killAfterMs ?? 45_000,
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
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => {}); // the script may exit before reading stdin
    child.stdin.end(options.stdin ?? '');
  });
}
