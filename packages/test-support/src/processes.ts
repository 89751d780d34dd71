import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface StartedProcess {
  child: ChildProcess;
  /** The first capture group of `ready` (e.g. the URL a server prints when it listens). */
  ready: string;
  /** Everything printed so far on stdout and stderr. */
  output(): string;
  /** Everything printed so far on stdout alone. */
  stdout(): string;
  /** Everything printed so far on stderr alone. */
  stderr(): string;
  /** Resolves once the process has exited, with how (after `stop()`, or a signal sent to `child`). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface StartProcessOptions {
  command: string;
  args?: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Printed on stdout or stderr once the process is ready; its first group becomes `ready`. */
  ready: RegExp;
  /** Give up (and kill the process) after this long without `ready`. Default 60 s. */
  timeoutMs?: number;
}

/**
 * Start a long-running process (a server) and resolve once it prints `ready`. Rejects with its
 * output when it exits first or takes longer than `timeoutMs`, so a failed start names its cause.
 */
export async function startProcess(options: StartProcessOptions): Promise<StartedProcess> {
  const child = spawn(options.command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(
    ([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }),
    () => ({ code: null, signal: null }),
  );
  const stop = async (graceMs = 5_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`${options.command} was not ready after ${options.timeoutMs ?? 60_000} ms:\n${text}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      text += chunk;
      const match = options.ready.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.command} exited (${signal ?? code}) before it was ready:\n${text}`));
    });
  });
  return {
    child,
    ready,
    output: () => text,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    stop,
    [Symbol.asyncDispose]: () => stop(),
  };
}
