/**
 * Every error the SDK throws is a {@link TestMaxError}. Messages are one sentence saying what
 * happened and what to do; they never contain the API key or a token.
 */

export type TestMaxErrorCode =
  | 'AUTHENTICATION_FAILED'
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_DISABLED'
  | 'SUBSCRIPTION_REQUIRED'
  | 'TOKEN_EXPIRED'
  | 'API_ERROR'
  | 'RATE_LIMITED'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'CONFIG_ERROR'
  | 'ACCOUNT_NOT_FOUND'
  | 'STORE_ERROR';

export interface TestMaxErrorOptions {
  cause?: unknown;
  /**
   * What to do about it, for a user of the SDK ("check your network connection and the base
   * URL"): appended to the message after "; ", and kept apart in `advice` so a tool with advice
   * of its own (a CLI) can replace it instead of editing the message.
   */
  advice?: string | undefined;
  /** HTTP status of the response that caused the error, if there was one. */
  status?: number;
  /** The vendor `errorCode` from the response body, if there was one. */
  errorCode?: number;
}

export class TestMaxError extends Error {
  /** A stable discriminator, safe to switch on. */
  readonly code: TestMaxErrorCode;
  readonly status: number | undefined;
  readonly errorCode: number | undefined;
  /** What happened, as one sentence, without the advice. */
  readonly summary: string;
  /** What to do about it, as the SDK advises (also at the end of `message`); may be absent. */
  readonly advice: string | undefined;

  /**
   * @param summary what happened; with `options.advice` the message is "summary; advice.",
   * without it the message is `summary` as given.
   */
  constructor(summary: string, code: TestMaxErrorCode = 'API_ERROR', options: TestMaxErrorOptions = {}) {
    const { advice } = options;
    super(
      advice ? `${summary}; ${advice}.` : summary,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.errorCode = options.errorCode;
    this.summary = advice ? `${summary}.` : summary;
    this.advice = advice;
  }
}

/** Logging in or using a token failed: the server did not accept who we said we were. */
export class AuthenticationError extends TestMaxError {
  constructor(
    message: string,
    options: TestMaxErrorOptions = {},
    code: TestMaxErrorCode = 'AUTHENTICATION_FAILED',
  ) {
    super(message, code, options);
  }
}

/** The user name or API key was rejected (vendor `errorCode` 1 or 3). Never retried. */
export class InvalidCredentialsError extends AuthenticationError {
  constructor(message: string, options: TestMaxErrorOptions = {}) {
    super(message, options, 'INVALID_CREDENTIALS');
  }
}

/** The user exists but the account is disabled. */
export class AccountDisabledError extends AuthenticationError {
  constructor(message: string, options: TestMaxErrorOptions = {}) {
    super(message, options, 'ACCOUNT_DISABLED');
  }
}

/** The account needs a Pro subscription to use the API (vendor `errorCode` 9). */
export class SubscriptionRequiredError extends AuthenticationError {
  constructor(message: string, options: TestMaxErrorOptions = {}) {
    super(message, options, 'SUBSCRIPTION_REQUIRED');
  }
}

/** The session token was rejected (expired or revoked) and could not be replaced. */
export class TokenExpiredError extends AuthenticationError {
  constructor(message: string, options: TestMaxErrorOptions = {}) {
    super(message, options, 'TOKEN_EXPIRED');
  }
}

/** The API answered with an error that is not about authentication, or with an unreadable body. */
export class ApiError extends TestMaxError {
  /** Set when the answer was larger than the session's `maxResponseBytes`: that cap, in bytes. */
  readonly maxResponseBytes: number | undefined;

  constructor(
    message: string,
    options: TestMaxErrorOptions & { maxResponseBytes?: number } = {},
    code: TestMaxErrorCode = 'API_ERROR',
  ) {
    super(message, code, options);
    this.maxResponseBytes = options.maxResponseBytes;
  }
}

/** HTTP 429 persisted after the retries (or asked for a longer wait than allowed). */
export class RateLimitError extends ApiError {
  /** How long the server asked us to wait, in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs: number | undefined, options: TestMaxErrorOptions = {}) {
    super(message, { status: 429, ...options }, 'RATE_LIMITED');
    this.retryAfterMs = retryAfterMs;
  }
}

/** The request never got an answer: DNS failure, refused or reset connection. */
export class NetworkError extends TestMaxError {
  constructor(message: string, options: TestMaxErrorOptions = {}) {
    super(message, 'NETWORK_ERROR', options);
  }
}

/** No answer within `timeoutMs`. */
export class TimeoutError extends TestMaxError {
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, options: TestMaxErrorOptions = {}) {
    super(message, 'TIMEOUT', options);
    this.timeoutMs = timeoutMs;
  }
}

/** Credentials or settings are missing or malformed; the message names where the SDK looked. */
export class ConfigError extends TestMaxError {
  /**
   * `missing`: no user name or key was found (set them, or log in); `invalid`: a setting, an
   * option or a file is malformed (fix it). Lets a tool react without parsing the message.
   */
  readonly reason: 'missing' | 'invalid';

  constructor(message: string, options: TestMaxErrorOptions & { reason?: 'missing' | 'invalid' } = {}) {
    const { reason = 'invalid', ...rest } = options;
    super(message, 'CONFIG_ERROR', rest);
    this.reason = reason;
  }
}

/** `accountName` matched no account, or the user has no active account. */
export class AccountNotFoundError extends TestMaxError {
  /** Names of the accounts the user has. */
  readonly available: readonly string[];

  constructor(message: string, available: readonly string[], options: TestMaxErrorOptions = {}) {
    super(message, 'ACCOUNT_NOT_FOUND', options);
    this.available = available;
  }
}

/**
 * A shared token store or rate limiter failed: Redis down or slow, a token file that cannot be
 * read or written. The API itself may be fine; a session falls back to a token of its own.
 */
export class StoreError extends TestMaxError {
  /**
   * `unavailable`: the store did not answer (refused, closed, timed out): try again later;
   * `invalid`: what it holds or where it lives is wrong (a FIFO at the token path, a file too
   * large, a directory that cannot be written): a person must fix it.
   */
  readonly reason: 'unavailable' | 'invalid';

  constructor(message: string, options: TestMaxErrorOptions & { reason?: 'unavailable' | 'invalid' } = {}) {
    const { reason = 'unavailable', ...rest } = options;
    super(message, 'STORE_ERROR', rest);
    this.reason = reason;
  }
}
