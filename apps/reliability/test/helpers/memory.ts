import { join } from 'node:path';
import { runNode } from '@testmax/test-support/run-node';

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
export async function runInChild(
  mode: 'ping' | 'fetch' | 'login',
  baseUrl: string,
  env: Record<string, string> = {},
  killAfterMs = 15_000,
): Promise<MemoryRun> {
  const { code, signal, stdout, stderr } = await runNode(SCRIPT, [mode, baseUrl], {
    env: { PATH: process.env.PATH ?? '', ...env },
    killAfterMs,
  });
  try {
    return { ...(JSON.parse(stdout) as Omit<MemoryRun, 'stderr'>), stderr };
  } catch {
    throw new Error(`the child exited with ${code ?? signal} and printed no result:\n${stdout}\n${stderr}`);
  }
}

/** Node flags that make a process write its RSS high-water mark (kB) to `file` as it exits. */
export function rssReportFlags(file: string): string[] {
  const code = `import{writeFileSync}from"node:fs";process.on("exit",()=>writeFileSync(${JSON.stringify(file)},String(process.resourceUsage().maxRSS)))`;
  return ['--import', `data:text/javascript,${code}`];
}
