import { CliError, ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * A failure as the CLI reports it: what happened (`message`) and, always apart from it, what to
 * do next (`hint`). The `--json` error document has the same two fields, whatever failed.
 */
export interface ErrorReport {
  exitCode: ExitCodeValue;
  message: string;
  hint: string;
}

const LOGIN_HINT = 'Run `testmax login` (see `testmax login --help`).';

/** What to do when nothing more particular is known, per exit code. */
const DEFAULT_HINTS: Record<ExitCodeValue, string> = {
  [ExitCode.ok]: '',
  [ExitCode.error]: 'Run again with --debug for details, and report it if it persists.',
  [ExitCode.usage]: 'Run `testmax --help` for usage.',
  [ExitCode.authFailed]: LOGIN_HINT,
  [ExitCode.notLoggedIn]: LOGIN_HINT,
  [ExitCode.unavailable]: 'Check your network and the base URL, then try again.',
  [ExitCode.cancelled]: 'Nothing was changed; run the command again when you are ready.',
};

export function defaultHint(exitCode: ExitCodeValue): string {
  return DEFAULT_HINTS[exitCode];
}

/**
 * The SDK's advice for a user of the SDK ("check your network connection and the base URL"),
 * as a sentence the CLI can give as its hint when it has none of its own: `error.advice`.
 */
export function sdkAdvice(error: { advice?: string | undefined }): string | undefined {
  const advice = error.advice?.trim();
  if (!advice) return undefined;
  const sentence = advice.charAt(0).toUpperCase() + advice.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/** What the CLI knows about where it was talking to, for advice that names it. */
export interface ErrorContext {
  baseUrl?: string;
}

/**
 * Map any failure to an exit code, a message and what to do next. The SDK's errors carry
 * secret-free messages: their `summary` is shown, their `advice` becomes the hint unless the
 * CLI has one in its own terms; anything else is a bug and says so.
 */
export async function describeError(error: unknown, context: ErrorContext = {}): Promise<ErrorReport> {
  // The CLI's own errors already say what happened and what to do apart: a "; " in their
  // message is part of what happened ("…; nothing was sent"), not advice to split off.
  if (error instanceof CliError) {
    return {
      exitCode: error.exitCode,
      message: error.message,
      hint: error.hint || defaultHint(error.exitCode),
    };
  }
  const { exitCode, message, hint } = await classify(error, context);
  // An SDK error's message is what happened (`summary`); its advice is the hint's fallback.
  const sdk = error as { summary?: unknown; advice?: string };
  const what =
    typeof sdk.summary === 'string' && message === (error as Error).message ? sdk.summary : message;
  return { exitCode, message: what, hint: hint ?? sdkAdvice(sdk) ?? defaultHint(exitCode) };
}

async function classify(
  error: unknown,
  context: ErrorContext,
): Promise<{ exitCode: ExitCodeValue; message: string; hint?: string }> {
  // Loaded only on this path: the auth package is not needed to report a usage error.
  const auth = await import('@testmax/auth');
  const message = error instanceof Error ? error.message : String(error);

  if (error instanceof auth.ConfigError) {
    // The chain's own malformed-setting errors became CliErrors in credentials.ts. A session
    // without a user or key means there was nothing to log in with; anything else is a setting.
    if (error.reason === 'missing') return { exitCode: ExitCode.notLoggedIn, message, hint: LOGIN_HINT };
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
  if (error instanceof auth.AuthenticationError) {
    // TokenExpiredError included: the SDK's advice there is "log in again with authenticate()".
    return { exitCode: ExitCode.authFailed, message, hint: LOGIN_HINT };
  }
  if (error instanceof auth.RateLimitError) {
    return { exitCode: ExitCode.unavailable, message };
  }
  if (error instanceof auth.TimeoutError) {
    return {
      exitCode: ExitCode.unavailable,
      message,
      hint: `Check your network and the base URL; if the service is only slow, raise TESTMAX_TIMEOUT_MS (now ${error.timeoutMs} ms per attempt) or TESTMAX_RETRIES.`,
    };
  }
  if (error instanceof auth.NetworkError) {
    const simulator = refusedOnLoopback(error, context.baseUrl);
    return { exitCode: ExitCode.unavailable, message, ...(simulator ? { hint: simulator } : {}) };
  }
  if (error instanceof auth.ApiError && error.maxResponseBytes !== undefined) {
    // An answer over the SDK's size cap: the advice to raise an SDK option is not for CLI users.
    return {
      exitCode: ExitCode.error,
      message: error.summary,
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
  return { exitCode: ExitCode.error, message: `Unexpected error: ${message}` };
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Nothing listening on a loopback URL is almost always a local simulator that is not running
 * (yet, or any more): ask, and say how to start one on that port.
 */
function refusedOnLoopback(error: Error, baseUrl: string | undefined): string | undefined {
  if (baseUrl === undefined || !hasCode(error, 'ECONNREFUSED')) return undefined;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  if (!LOOPBACK_HOST.test(url.hostname)) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `Is the simulator running? Nothing listens at ${url.origin}; start one there with \`testmax-mock --port ${port}\` (from npm: \`npx -p @testmax/mock-server testmax-mock --port ${port}\`; in a clone of the SDK: \`pnpm -s testmax-mock --port ${port}\`).`;
}

/** Whether the error or one of its causes (or, for several addresses, one of their errors) has `code`. */
function hasCode(error: unknown, code: string, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false;
  const { code: own, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (own === code) return true;
  if (Array.isArray(errors) && errors.some((inner) => hasCode(inner, code, depth + 1))) return true;
  return hasCode(cause, code, depth + 1);
}
