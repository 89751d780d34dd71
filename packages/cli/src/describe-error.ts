import { CliError, ExitCode, type ExitCodeValue } from './exit-codes.js';

export interface ErrorReport {
  exitCode: ExitCodeValue;
  message: string;
  hint?: string;
}

const LOGIN_HINT = 'Run `testmax login` (see `testmax login --help`).';

/**
 * The SDK's messages end in advice for SDK users ("…; check your network, or raise timeoutMs"),
 * after the last "; ". The CLI gives its own, in its own terms, as the hint.
 */
export function withoutAdvice(message: string): string {
  const cut = message.lastIndexOf('; ');
  return cut > 0 ? `${message.slice(0, cut)}.` : message;
}

/**
 * Map any failure to an exit code, a message and what to do next. The SDK's errors carry
 * secret-free messages, so they are shown as they are (or without their SDK advice); anything
 * else is a bug and says so.
 */
export async function describeError(error: unknown): Promise<ErrorReport> {
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  // Loaded only on this path: the auth package is not needed to report a usage error.
  const auth = await import('@testmax/auth');
  const message = error instanceof Error ? error.message : String(error);

  if (error instanceof auth.ConfigError) {
    // The chain's own malformed-setting errors became CliErrors in credentials.ts. A session
    // without a user or key means there was nothing to log in with; anything else is a setting.
    if (error.reason === 'missing') {
      return { exitCode: ExitCode.notLoggedIn, message: withoutAdvice(message), hint: LOGIN_HINT };
    }
    return { exitCode: ExitCode.usage, message };
  }
  if (error instanceof auth.InvalidCredentialsError) {
    return { exitCode: ExitCode.authFailed, message, hint: LOGIN_HINT };
  }
  if (error instanceof auth.AccountDisabledError) {
    return {
      exitCode: ExitCode.authFailed,
      message,
      hint: 'Contact TestMax support to re-enable the account.',
    };
  }
  if (error instanceof auth.SubscriptionRequiredError) {
    return {
      exitCode: ExitCode.authFailed,
      message,
      hint: 'This API needs a Pro subscription on the account.',
    };
  }
  if (error instanceof auth.TokenExpiredError) {
    return {
      exitCode: ExitCode.authFailed,
      // The SDK's advice here is "log in again with authenticate()".
      message: withoutAdvice(message),
      hint: LOGIN_HINT,
    };
  }
  if (error instanceof auth.AuthenticationError) {
    return { exitCode: ExitCode.authFailed, message, hint: LOGIN_HINT };
  }
  if (error instanceof auth.RateLimitError) {
    return { exitCode: ExitCode.unavailable, message };
  }
  if (error instanceof auth.TimeoutError) {
    return {
      exitCode: ExitCode.unavailable,
      message: withoutAdvice(message).replaceAll('timeoutMs', 'TESTMAX_TIMEOUT_MS'),
      hint: `Check your network and the base URL; if the service is only slow, raise TESTMAX_TIMEOUT_MS (now ${error.timeoutMs} ms per attempt) or TESTMAX_RETRIES.`,
    };
  }
  // The SDK's network and API messages already say what to check.
  if (error instanceof auth.NetworkError) {
    return { exitCode: ExitCode.unavailable, message };
  }
  if (error instanceof auth.ApiError && message.includes('maxResponseBytes')) {
    // An answer over the SDK's size cap: the advice to raise an SDK option is not for CLI users.
    return {
      exitCode: ExitCode.error,
      message: withoutAdvice(message).replace(/maxResponseBytes \(([^)]+)\)/, '$1'),
      hint: 'testmax reads at most 8 MiB of any answer, far more than the TestMax API ever sends: check the base URL (--base-url, TESTMAX_API_URL).',
    };
  }
  if (error instanceof auth.ApiError) {
    // 408 and 5xx were already retried by the SDK: the server stayed unavailable.
    if (error.status !== undefined && (error.status === 408 || error.status >= 500)) {
      return { exitCode: ExitCode.unavailable, message };
    }
    return { exitCode: ExitCode.error, message };
  }
  if (error instanceof auth.TestMaxError) {
    return { exitCode: ExitCode.error, message };
  }
  return {
    exitCode: ExitCode.error,
    message: `Unexpected error: ${message}`,
    hint: 'Run again with --debug for details, and report it if it persists.',
  };
}
