import {
  ConfigError,
  type CredentialSource,
  normalizeBaseUrl,
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

const FLAG_NAMES = {
  userName: '--username',
  apiKey: '--api-key-stdin',
  baseUrl: '--base-url',
  accountName: '',
  profile: '--profile',
};

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
    // `configPath` is the SDK's option; the CLI's way to name the file is TESTMAX_CONFIG.
    // … nor is its option `profile`: here it is the --profile flag.
    const advice = error.advice?.replace(' or configPath', '');
    const what = error.summary.replaceAll('from option profile', 'from flag --profile');
    throw new CliError(
      ExitCode.usage,
      what,
      sdkAdvice({ advice }) ?? 'Fix the setting it names, or unset it.',
      {
        cause: error,
      },
    );
  }

  const sourced = (field: keyof typeof FLAG_NAMES, value: string | undefined, source?: CredentialSource) => {
    if (value === undefined || !source) return undefined;
    return describe(field, value, source);
  };
  const baseUrl = sourced('baseUrl', credentials.baseUrl, credentials.source.baseUrl) ?? {
    value: DEFAULT_BASE_URL,
    from: 'default',
    origin: 'default' as const,
  };
  context.baseUrl = baseUrl.value;
  const userName = sourced('userName', credentials.userName, credentials.source.userName);
  const apiKey = sourced('apiKey', credentials.apiKey, credentials.source.apiKey);
  const accountName = sourced('accountName', credentials.accountName, credentials.source.accountName);
  const profile = sourced('profile', credentials.profile, credentials.source.profile);
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

function describe(field: keyof typeof FLAG_NAMES, value: string, source: CredentialSource): Sourced {
  if (source.origin === 'option') {
    return { value, from: `flag ${FLAG_NAMES[field]}`, origin: 'flag' };
  }
  const origin = source.origin;
  return {
    value,
    from: source.description,
    origin,
    ...(source.path ? { path: source.path } : {}),
  };
}
