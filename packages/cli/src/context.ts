import type { Command } from 'commander';
import type { Output } from './output.js';
import type { GlobalOptions } from './program.js';

/** Where the CLI reads from: stdin, or what a test (or another tool) gives it instead. */
export type Input = NodeJS.ReadableStream & {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
};

/**
 * What every command gets, injected so each can run without a process: the parsed global
 * options, where to print (`output`), what to read (`input`), the environment and the clock.
 */
export interface Context {
  globals: GlobalOptions;
  output: Output;
  /** stdin, or a stream of the caller's: prompts and `--api-key-stdin` read it. */
  input: Input;
  env: NodeJS.ProcessEnv;
  cwd: string;
  program: Command;
  /** When the command started (ms since the epoch): its waits between retries end 30 s after. */
  startedAt: number;
  /** The base URL the command talks to, once the credentials chain has resolved it (for advice in errors). */
  baseUrl?: string;
}
