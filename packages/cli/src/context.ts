import type { Command } from 'commander';
import type { Output } from './output.js';
import type { GlobalOptions } from './program.js';

/** What every command gets: the parsed global options, where to print, and the environment. */
export interface Context {
  globals: GlobalOptions;
  output: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  program: Command;
  /** When the command started (ms since the epoch): its waits between retries end 30 s after. */
  startedAt: number;
  /** The base URL the command talks to, once the credentials chain has resolved it (for advice in errors). */
  baseUrl?: string;
}
