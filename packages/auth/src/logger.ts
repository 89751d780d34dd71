import { redact } from './redact.js';

/** Structured fields of a log line. Never holds a secret. */
export interface LogDetails {
  method?: string;
  path?: string;
  status?: number;
  attempt?: number;
  durationMs?: number;
  [field: string]: unknown;
}

/**
 * Where debug output goes. `console` fits; so does any object with `debug` (and optionally
 * `warn`). Messages are already redacted when they arrive.
 */
export interface Logger {
  debug(message: string, details?: LogDetails): void;
  warn?(message: string, details?: LogDetails): void;
}

export type LogLevel = 'debug' | 'warn';

export type LogFn = ((level: LogLevel, message: string, details?: LogDetails) => void) & {
  /** False when debug lines go nowhere: callers skip building them (they cost on every request). */
  readonly enabled: boolean;
};

/**
 * `TESTMAX_DEBUG` as the SDK and the `testmax` CLI read it: `1`, `true` or `yes` (any case,
 * spaces ignored) turn debug output on; anything else, or nothing, leaves it off.
 */
export function isDebugEnabled(value: string | undefined): boolean {
  const flag = value?.trim().toLowerCase();
  return flag === '1' || flag === 'true' || flag === 'yes';
}

function debugFromEnvironment(): boolean {
  // Guarded: this entry also runs where `process` does not exist (browsers, workers).
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return isDebugEnabled(env?.TESTMAX_DEBUG);
}

const warn = (message: string) => console.warn(`[testmax] warning: ${message}`);

const stderrLogger: Logger = {
  debug: (message) => console.error(`[testmax] ${message}`),
  warn,
};

/**
 * Without a logger, warnings still reach stderr: a background refresh that keeps failing or a
 * logout that did not revoke the token is something the user must be able to find out.
 */
const warningsOnly: Logger = { debug: () => {}, warn };

/**
 * Build the SDK's internal log function. `secrets` is read at each call so a token issued
 * later is redacted too.
 */
export function createLog(
  logger: Logger | false | undefined,
  secrets: () => Iterable<string | undefined>,
): LogFn {
  const sink =
    logger === false ? undefined : (logger ?? (debugFromEnvironment() ? stderrLogger : warningsOnly));
  const enabled = sink !== undefined && sink !== warningsOnly;
  const log = (level: LogLevel, message: string, details?: LogDetails) => {
    if (!sink || (level === 'debug' && !enabled)) return;
    try {
      const safe = redact(message, secrets());
      const safeDetails = details
        ? (JSON.parse(redact(JSON.stringify(details), secrets())) as LogDetails)
        : undefined;
      const write = level === 'warn' && sink.warn ? sink.warn.bind(sink) : sink.debug.bind(sink);
      // console.debug would print a trailing "undefined" for a missing second argument.
      if (safeDetails === undefined) write(safe);
      else write(safe, safeDetails);
    } catch {
      // A broken logger must never break authentication.
    }
  };
  return Object.assign(log, { enabled });
}

/** `POST /Auth/loginKey 200 attempt=1 34ms` */
export function formatRequestLine(details: LogDetails): string {
  const parts = [details.method, details.path, details.status ?? details.outcome];
  if (details.attempt !== undefined) parts.push(`attempt=${details.attempt}`);
  if (details.durationMs !== undefined) parts.push(`${details.durationMs}ms`);
  if (details.retryInMs !== undefined) parts.push(`retry in ${details.retryInMs}ms`);
  return parts.filter((p) => p !== undefined && p !== '').join(' ');
}
