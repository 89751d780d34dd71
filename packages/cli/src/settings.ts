import { CliError, ExitCode } from './exit-codes.js';

/**
 * The CLI's own request settings. They are shorter than the SDK's (15 s per attempt, 3 retries,
 * so up to a minute against a server that accepts connections and never answers): a person at
 * a prompt, or a script waiting on `$(testmax token)`, should hear within about half a minute.
 * A refused connection fails at once whatever these are; only a silent server uses them up.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRIES = 2;

/**
 * How long into a command its waits between retries (back-off and the server's Retry-After
 * together) may last: a retry whose wait would end later is not made, and the command fails at
 * once with what the server asked for. Without it, `Retry-After: 60` on each of 2 retries
 * would keep a prompt waiting for two minutes.
 */
export const WAIT_BUDGET_MS = 30_000;

/** Request settings for every call the CLI makes: `TESTMAX_TIMEOUT_MS` and `TESTMAX_RETRIES`. */
export interface RequestSettings {
  /** Timeout of each attempt, in ms. */
  timeoutMs: number;
  /** Retries after the first attempt, for network errors, timeouts, 408, 429 and 5xx. */
  retries: number;
}

/** A whole number in [min, max] from the environment, or undefined when unset. */
export function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  min: number,
  max: number,
  example: number,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new CliError(
      ExitCode.usage,
      // Only a short value is repeated: a variable set to something else by mistake may hold a secret.
      `${name} must be a whole number from ${min} to ${max}${raw.length <= 20 ? ` (got "${raw}")` : ''}.`,
      `Unset it or set e.g. ${name}=${example}.`,
    );
  }
  return value;
}

/**
 * The bounds are the CLI's: more than 10 retries or an hour per attempt is a typo, not a
 * setting (and the SDK refuses some such values with an error that would not name the variable).
 */
export function requestSettings(env: NodeJS.ProcessEnv): RequestSettings {
  const timeoutMs = wholeNumber(env, 'TESTMAX_TIMEOUT_MS', 1, 3_600_000, DEFAULT_TIMEOUT_MS);
  const retries = wholeNumber(env, 'TESTMAX_RETRIES', 0, 10, DEFAULT_RETRIES);
  return { timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS, retries: retries ?? DEFAULT_RETRIES };
}

/** For `--debug`: what the requests will do, so a slow failure can be explained. */
export function describeSettings(settings: RequestSettings): string {
  return `requests: ${settings.timeoutMs} ms timeout per attempt, up to ${settings.retries} retries (TESTMAX_TIMEOUT_MS, TESTMAX_RETRIES), no wait ending more than ${WAIT_BUDGET_MS / 1000} s into the command`;
}

/** The SDK's retry options for one command: its retries, and its waits over by the budget's end. */
export function retryFor(settings: RequestSettings, startedAt: number, retries = settings.retries) {
  return { retries, deadline: startedAt + WAIT_BUDGET_MS };
}
