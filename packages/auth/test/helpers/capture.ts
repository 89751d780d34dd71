import { inspect } from 'node:util';
import { leaksIn } from '@testmax/test-support/guards';
import type { LogDetails, Logger } from '../../src/index.js';

/**
 * Everything the SDK shows a user during a test file: log lines, error messages (with their
 * causes), inspect and JSON output, console and process output. Checked for secrets when the
 * file ends, in every file (`setup.ts`).
 */
export const shown: string[] = [];

/** Every API key and token the file used; none of them may appear in `shown`. */
export const secrets = new Set<string>();

export function addSecret(value: string | undefined): void {
  if (value) secrets.add(value);
}

/** A logger that records, so tests can wait for lifecycle events and scan the lines. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, details?: LogDetails) => {
    const line = `${level} ${message}${details ? ` ${JSON.stringify(details)}` : ''}`;
    lines.push(line);
    shown.push(line);
  };
  return { lines, debug: write('debug'), warn: write('warn') };
}

/** Record an error as a user would see it: message, inspect output, JSON, causes. */
export function showError(error: unknown): unknown {
  shown.push(String(error), inspect(error, { depth: 5 }), JSON.stringify(error) ?? '');
  return error;
}

/** The rejection of `promise`, recorded; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    showError(error);
    return error as Error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

export function showValue(value: unknown): void {
  shown.push(inspect(value, { depth: 5 }), String(value), JSON.stringify(value) ?? '');
}

export function findLeaks(): string[] {
  return leaksIn(shown, secrets);
}

/** Fail the file if any promise rejection went unhandled while it ran (the shared guard). */
export { guardUnhandledRejections } from '@testmax/test-support/guards';
