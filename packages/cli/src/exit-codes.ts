/**
 * The process exit codes, part of the CLI's contract (DESIGN.md "CLI"): scripts branch on them,
 * so they are the same in human and `--json` mode.
 */
export const ExitCode = {
  ok: 0,
  /** Unexpected failure or an API error that is not about credentials. */
  error: 1,
  /** Bad flags or arguments, or a malformed setting (URL, number, config file) from any source. */
  usage: 2,
  /** Invalid credentials, disabled account, missing subscription, a saved token refused or expired. */
  authFailed: 3,
  /** No credentials: no saved token and no key to log in with. */
  notLoggedIn: 4,
  /** Network failure, timeout, or the server stayed unavailable after retries. */
  unavailable: 5,
  /** Ctrl-C at a prompt, as a shell reports SIGINT (128 + 2). */
  cancelled: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable machine-readable names for `--json` error documents. */
export const exitCodeName: Record<ExitCodeValue, string> = {
  0: 'ok',
  1: 'error',
  2: 'usage',
  3: 'auth_failed',
  4: 'not_logged_in',
  5: 'unavailable',
  130: 'cancelled',
};

/**
 * A failure the CLI reports itself: a message saying what went wrong and a hint saying what to do
 * next, always apart (the `--json` error document has both fields). Neither may ever contain a
 * secret.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown when the user presses Ctrl-C at a prompt; the CLI exits 130 like a shell would. */
export class PromptCancelled extends Error {
  override readonly name = 'PromptCancelled';
}
