import { inspect } from 'node:util';
import type { AuthSession, Clock, Logger } from '@testmax/auth';

/**
 * Everything a cell can see of the SDK from outside: the secrets it was given or that crossed
 * the wire, and every text it produced (log lines, error messages, inspected objects). At the
 * end of a cell, no secret may appear in any of those texts.
 */
export class Observer {
  readonly secrets = new Set<string>();
  readonly texts: string[] = [];
  /** Every delay the SDK asked its clock for, in ms (request timeouts and back-off sleeps). */
  readonly timers: number[] = [];

  readonly logger: Logger = {
    debug: (message, details) => this.texts.push(message, JSON.stringify(details ?? {})),
    warn: (message, details) => this.texts.push(message, JSON.stringify(details ?? {})),
  };

  /** The real clock, with every requested delay recorded. Never shortens or fakes time. */
  readonly clock: Clock = {
    now: () => Date.now(),
    setTimeout: (callback, ms) => {
      this.timers.push(ms);
      return setTimeout(callback, ms);
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };

  /**
   * Real `fetch`, watched: every token in a response body becomes a secret to look for. Reads a
   * clone, so the SDK sees the untouched response.
   */
  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const authorization = new Headers(init?.headers).get('authorization');
    if (authorization) this.secret(authorization.replace(/^Bearer\s+/i, ''));
    void response
      .clone()
      .text()
      .then((text) => this.harvestTokens(text))
      .catch(() => {});
    return response;
  };

  secret(value: string | undefined | null): void {
    if (typeof value === 'string' && value.length >= 8) this.secrets.add(value);
  }

  harvestTokens(text: string): void {
    for (const match of text.matchAll(/"(?:token|newToken)"\s*:\s*"([^"]+)"/g)) this.secret(match[1]);
  }

  /** Record what a user could print: the error itself, every way they might print it. */
  error(error: unknown): void {
    this.texts.push(String(error), inspect(error, { depth: 8 }), safeJson(error));
    if (error instanceof Error) this.texts.push(error.message, error.stack ?? '');
  }

  session(session: AuthSession): void {
    this.texts.push(String(session), inspect(session, { depth: 8 }), safeJson(session));
  }

  text(value: string): void {
    this.texts.push(value);
  }

  /** The secrets found in any output, described without quoting them. */
  leaks(): string[] {
    const found: string[] = [];
    for (const secret of this.secrets) {
      const index = this.texts.findIndex((text) => text.includes(secret));
      if (index >= 0) found.push(`a ${secret.length}-character secret in output #${index}`);
    }
    return found;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch (error) {
    return `JSON.stringify threw ${String(error)}`;
  }
}

/**
 * Collects unhandled rejections while a file runs, so a cell can assert there were none
 * (vitest would report them too, but not which cell caused them).
 */
export function trackUnhandledRejections(): { take(): unknown[] } {
  let seen: unknown[] = [];
  const listener = (reason: unknown) => {
    seen.push(reason);
  };
  process.on('unhandledRejection', listener);
  return {
    take() {
      const out = seen;
      seen = [];
      return out;
    },
  };
}
