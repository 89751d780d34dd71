import {
  ConfigError,
  type CredentialSource,
  normalizeBaseUrl,
  type OptionNames,
  type ResolvedCredentials,
  resolveCredentials,
} from '@testmax/auth/node';
import { DEFAULT_BASE_URL } from '@testmax/client';
import type { Context } from './context.js';
import { sdkAdvice } from './describe-error.js';
import { CliError, ExitCode } from './exit-codes.js';

/** One resolved value and a human description of where it came from. */
export interface Sourced {
  value: string;
  /** "flag --username", "environment variable TESTMAX_USERNAME", "TESTMAX_API_KEY in /app/.env", … */
  from: string;
  origin: 'flag' | 'env' | 'dotenv' | 'config' | 'default' | 'cache';
  /** The file, for `.env` and config values. */
  path?: string;
}

/** What the credentials chain offers; unlike `loadCredentials`, any part may be missing. */
export interface Chain {
  baseUrl: Sourced;
  userName?: Sourced;
  apiKey?: Sourced;
  accountName?: Sourced;
  /** The config-file profile in use (--profile, TESTMAX_PROFILE), if any. */
  profile?: Sourced;
  searched: { dotenvPath: string; configPath: string };
  /** The chain as the SDK resolved it, for `checkKeyDestination` before a key is sent. */
  resolved: ResolvedCredentials;
}

/**
 * The chain's options as the CLI offers them, for the SDK's messages and `status`'s sources. The
 * config file has no flag: TESTMAX_CONFIG names it, so advice must not mention `configPath`.
 */
const OPTION_NAMES = {
  userName: 'flag --username',
  apiKey: 'flag --api-key-stdin',
  baseUrl: 'flag --base-url',
  accountName: null,
  profile: 'flag --profile',
  configPath: null,
} satisfies OptionNames;

/**
 * The credentials chain (flags → env → .env → config), read by `resolveCredentials` from
 * @testmax/auth, which lets any part be missing: the CLI also runs with neither a user nor a
 * key (`token` with a cached session, `status` before login). A malformed value is a usage
 * error (exit 2) wherever it came from: a bad URL in TESTMAX_API_URL is fixed the same way as
 * a bad --base-url, and neither is fixed by logging in (which exit 4 would suggest).
 */
export function readChain(context: Context, flags: { userName?: string } = {}): Chain {
  if (context.globals.baseUrl !== undefined) {
    try {
      normalizeBaseUrl(context.globals.baseUrl, 'the --base-url flag');
    } catch (error) {
      const sdk = error as ConfigError;
      throw new CliError(
        ExitCode.usage,
        sdk.summary,
        sdkAdvice(sdk) ?? 'Give --base-url an https:// URL (http:// only for a loopback host).',
      );
    }
  }
  const warnings = new Set<string>();
  const base = {
    env: context.env,
    cwd: context.cwd,
    ...(flags.userName ? { userName: flags.userName } : {}),
    ...(context.globals.baseUrl !== undefined ? { baseUrl: context.globals.baseUrl } : {}),
    ...(context.globals.profile !== undefined ? { profile: context.globals.profile } : {}),
    optionNames: OPTION_NAMES,
    onWarning: (message: string) => {
      if (!warnings.has(message)) {
        warnings.add(message);
        context.output.warn(message);
      }
    },
  };
  let credentials: ReturnType<typeof resolveCredentials>;
  try {
    credentials = resolveCredentials(base);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Its messages already name the CLI's flags and variables (`optionNames`).
    throw new CliError(
      ExitCode.usage,
      error.summary,
      sdkAdvice(error) ?? 'Fix the setting it names, or unset it.',
      {
        cause: error,
      },
    );
  }

  const sourced = (value: string | undefined, source?: CredentialSource) => {
    if (value === undefined || !source) return undefined;
    return describe(value, source);
  };
  const baseUrl = sourced(credentials.baseUrl, credentials.source.baseUrl) ?? {
    value: DEFAULT_BASE_URL,
    from: 'default',
    origin: 'default' as const,
  };
  context.baseUrl = baseUrl.value;
  const userName = sourced(credentials.userName, credentials.source.userName);
  const apiKey = sourced(credentials.apiKey, credentials.source.apiKey);
  const accountName = sourced(credentials.accountName, credentials.source.accountName);
  const profile = sourced(credentials.profile, credentials.source.profile);
  if (apiKey) context.output.addSecret(apiKey.value);
  return {
    baseUrl,
    ...(userName ? { userName } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(accountName ? { accountName } : {}),
    ...(profile ? { profile } : {}),
    searched: credentials.searched,
    resolved: credentials,
  };
}

function describe(value: string, source: CredentialSource): Sourced {
  // The chain described an option in the CLI's terms ("flag --username", `OPTION_NAMES`).
  const origin = source.origin === 'option' ? 'flag' : source.origin;
  return {
    value,
    from: source.description,
    origin,
    ...(source.path ? { path: source.path } : {}),
  };
}
