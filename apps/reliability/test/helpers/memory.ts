import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * The most a process may reach (RSS high-water mark) to read one hostile answer. A bare Node
 * process is about 50 MB; the SDK reads at most maxResponseBytes (8 MiB) of any answer, plus a
 * chunk. Before the cap, the same answers drove it past 800 MB.
 */
export const MAX_RSS_KB = 160 * 1024;

export interface MemoryRun {
  outcome: { ok: boolean; name?: string; code?: string; status?: number; message?: string };
  maxRssKb: number;
  stderr: string;
}

const SCRIPT = join(import.meta.dirname, '..', 'fixtures', 'memory-run.mjs');

/** Run one SDK call (see fixtures/memory-run.mjs) in a child process; never hangs past `killAfterMs`. */
export function runInChild(
  mode: 'ping' | 'fetch' | 'login',
  baseUrl: string,
  env: Record<string, string> = {},
  killAfterMs = 15_000,
): Promise<MemoryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, mode, baseUrl], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: killAfterMs,
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
    child.on('close', (code, signal) => {
      try {
        resolve({ ...(JSON.parse(stdout) as Omit<MemoryRun, 'stderr'>), stderr });
      } catch {
        reject(
          new Error(`the child exited with ${code ?? signal} and printed no result:\n${stdout}\n${stderr}`),
        );
      }
    });
  });
}

/** Node flags that make a process write its RSS high-water mark (kB) to `file` as it exits. */
export function rssReportFlags(file: string): string[] {
  const code = `import{writeFileSync}from"node:fs";process.on("exit",()=>writeFileSync(${JSON.stringify(file)},String(process.resourceUsage().maxRSS)))`;
  return ['--import', `data:text/javascript,${code}`];
}
