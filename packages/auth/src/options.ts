import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { RetryOptions } from './retry.js';
import type { LifecycleOptions } from './token-state.js';

export interface AuthSessionOptions {
  /** The account e-mail used to log in. */
  userName: string;
  /** The API key. Optional only when `token` is given (the session then cannot log in again). */
  apiKey?: string;
  /**
   * A token issued earlier (e.g. cached by a CLI) to start from instead of logging in. Its
   * expiry is read from `exp` against the local clock. When the server refuses it, the session
   * logs in with `apiKey`, or throws `TokenExpiredError` without one.
   */
  token?: string;
  /** API root. Defaults to `DEFAULT_BASE_URL`; plain http:// only for loopback hosts. */
  baseUrl?: string;
  /** The account `accountInfo` picks; default the first that can trade. */
  accountName?: string;
  /**
   * The config-file profile these credentials came from (`fromEnv` sets it). A profile keeps a
   * token of its own: it is part of the session's token scope, beside base URL and user.
   */
  profile?: string;
  /** A `fetch` implementation; default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Fraction of the token lifetime after which it is refreshed in the background. Default 0.8. */
  refreshAt?: number;
  /** Timeout of each attempt, in ms. Default 15 000. */
  timeoutMs?: number;
  /**
   * The most of an answer from the API the session reads, in bytes after decompression; a
   * bigger one is an `ApiError` and its connection is closed. Default 8 MiB
   * (`DEFAULT_MAX_RESPONSE_BYTES`); `Infinity` lifts the cap.
   */
  maxResponseBytes?: number;
  /** Retry policy, or `false` for a single attempt. */
  retry?: RetryOptions | false;
  /** Debug logging (`console` works); `false` silences even `TESTMAX_DEBUG=1`. */
  logger?: Logger | false;
  /** The other knobs of the token lifecycle. */
  lifecycle?: LifecycleOptions;
  /** Time source, for tests. */
  clock?: Clock;
  /** Random source for back-off jitter in [0, 1), for tests. */
  random?: () => number;
}

/** Where `loadCredentials` looks; every field has a sensible default. */
export interface LoadCredentialsOptions {
  /** Highest precedence: explicit values (e.g. CLI flags). */
  userName?: string;
  apiKey?: string;
  accountName?: string;
  baseUrl?: string;
  /** Environment to read; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Directory whose `.env` is read; default `process.cwd()`. */
  cwd?: string;
  /** Config file; default `$TESTMAX_CONFIG`, else `$XDG_CONFIG_HOME/testmax/config.json`, else `~/.config/testmax/config.json`. */
  configPath?: string;
  /** Receives warnings (e.g. a config file others can read); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /**
   * A named profile of the config file: `profiles.NAME` overrides the file's top-level settings.
   * Default `$TESTMAX_PROFILE` (from the environment, else `.env`); none means the top level.
   */
  profile?: string;
}

/** Options of `AuthSession.fromEnv`: any session option, plus where to look for credentials. */
export interface FromEnvOptions
  extends Partial<AuthSessionOptions>,
    Omit<LoadCredentialsOptions, keyof AuthSessionOptions> {}
