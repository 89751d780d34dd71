import { inspect } from 'node:util';
import type { AuthSession, Clock, Logger } from '@testmax/auth';
import { leaksIn } from '@testmax/test-support/guards';
import { recordingFetch } from '@testmax/test-support/recording-fetch';

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

  /** Real `fetch`, watched: every token sent or received becomes a secret to look for. */
  readonly fetch: typeof globalThis.fetch = recordingFetch((secret) => this.secret(secret));

  secret(value: string | undefined | null): void {
    if (typeof value === 'string' && value.length >= 8) this.secrets.add(value);
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

  /** The outputs holding a secret, the secret masked in them. */
  leaks(): string[] {
    return leaksIn(this.texts, this.secrets);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch (error) {
    return `JSON.stringify threw ${String(error)}`;
  }
}
