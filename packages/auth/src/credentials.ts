import { join, resolve } from 'node:path';
import { DEFAULT_BASE_URL } from '@testmax/client';
import { normalizeBaseUrl } from './base-url.js';
import {
  type ConfigFileSettings,
  type ConfigFileValues,
  PROFILE_NAME,
  readConfigFile,
} from './config-file.js';
import { readDotenv } from './dotenv.js';
import { ConfigError } from './errors.js';
import { configDir } from './node-paths.js';
import type { LoadCredentialsOptions, OptionNames } from './options.js';
import { permissionWarning } from './permissions.js';
import { REDACTED } from './redact.js';

export type CredentialOrigin = 'option' | 'env' | 'dotenv' | 'config';

/** Where one value came from. `description` is ready to show ("TESTMAX_USERNAME in /app/.env"). */
export interface CredentialSource {
  origin: CredentialOrigin;
  /** The option, variable or config key that held the value. */
  name: string;
  /** The file, for `dotenv` and `config`. */
  path?: string;
  description: string;
  /**
   * True when the working directory chose the value: it comes from `.env`, or from a config
   * file that `.env` named with `TESTMAX_CONFIG`. See {@link checkKeyDestination}.
   */
  fromDirectory?: boolean;
}

export interface CredentialSources {
  userName: CredentialSource;
  apiKey: CredentialSource;
  accountName?: CredentialSource;
  baseUrl?: CredentialSource;
  /** What selected the profile (the option, `TESTMAX_PROFILE` in the environment or `.env`). */
  profile?: CredentialSource;
}

export interface Credentials {
  userName: string;
  apiKey: string;
  accountName?: string;
  baseUrl?: string;
  /** The profile of the config file in use, when one was selected. */
  profile?: string;
  /** Which source won, per value. */
  source: CredentialSources;
  /** The files that were consulted (whether or not they existed). */
  searched: { dotenvPath: string; configPath: string };
}

type Field = 'userName' | 'apiKey' | 'accountName' | 'baseUrl';

const ENV_NAMES: Record<Field, string> = {
  userName: 'TESTMAX_USERNAME',
  apiKey: 'TESTMAX_API_KEY',
  accountName: 'TESTMAX_ACCOUNT_NAME',
  baseUrl: 'TESTMAX_API_URL',
};

const CONFIG_KEYS: Record<Field, keyof ConfigFileSettings> = {
  userName: 'username',
  apiKey: 'api_key',
  accountName: 'account_name',
  baseUrl: 'api_url',
};

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * How messages name an option: as the caller's users know it (`optionNames`), else `standard`;
 * `null` when the caller offers no such option.
 */
function optionName(
  options: LoadCredentialsOptions,
  option: keyof OptionNames,
  standard = `option ${option}`,
): string | null {
  const named = options.optionNames?.[option];
  return named === undefined ? standard : named;
}

function defaultWarn(message: string): void {
  process.emitWarning(message, { type: 'TestMaxWarning', code: 'TESTMAX_INSECURE_CONFIG' });
}

/** The config file path and whether the user named it (then it must exist). */
function configLocation(
  options: LoadCredentialsOptions,
  env: Record<string, string | undefined>,
  dotenv: Record<string, string> | undefined,
  cwd: string,
): { path: string; explicit: boolean; namedBy?: 'option' | 'env' | 'dotenv' } {
  const candidates = [
    ['option', options.configPath],
    ['env', env.TESTMAX_CONFIG],
    ['dotenv', dotenv?.TESTMAX_CONFIG],
  ] as const;
  for (const [namedBy, value] of candidates) {
    const named = present(value);
    if (named) return { path: resolve(cwd, named), explicit: true, namedBy };
  }
  return { path: join(configDir(env), 'config.json'), explicit: false };
}

/** The profile asked for, and by what: the option, else TESTMAX_PROFILE in the environment, else in `.env`. */
function selectProfile(
  options: LoadCredentialsOptions,
  env: Record<string, string | undefined>,
  dotenv: Record<string, string> | undefined,
  dotenvPath: string,
): { name: string; source: CredentialSource } | undefined {
  const candidates: [string | undefined, CredentialSource][] = [
    [
      options.profile,
      { origin: 'option', name: 'profile', description: optionName(options, 'profile') ?? 'option profile' },
    ],
    [
      env.TESTMAX_PROFILE,
      { origin: 'env', name: 'TESTMAX_PROFILE', description: 'environment variable TESTMAX_PROFILE' },
    ],
    [
      dotenv?.TESTMAX_PROFILE,
      {
        origin: 'dotenv',
        name: 'TESTMAX_PROFILE',
        path: dotenvPath,
        description: `TESTMAX_PROFILE in ${dotenvPath}`,
        fromDirectory: true,
      },
    ],
  ];
  for (const [raw, source] of candidates) {
    const name = present(raw);
    if (name === undefined) continue;
    if (!PROFILE_NAME.test(name)) {
      throw new ConfigError(`The profile name from ${source.description} is not a valid one`, {
        advice: `use letters, digits, ".", "_" and "-" (up to 64), as in the config file's "profiles"`,
      });
    }
    return { name, source };
  }
  return undefined;
}

/** The settings of the selected profile; a profile the config file does not have is an error. */
function profileSettings(
  selection: { name: string; source: CredentialSource },
  file: ConfigFileValues | undefined,
  configPath: string,
): ConfigFileSettings {
  const settings = file?.profiles?.[selection.name];
  if (settings && Object.hasOwn(file!.profiles!, selection.name)) return settings;
  const names = Object.keys(file?.profiles ?? {});
  const where = !file
    ? `there is no config file ${configPath}`
    : names.length > 0
      ? `the config file ${configPath} has ${names.map((n) => `"${n}"`).join(', ')}`
      : `the config file ${configPath} has no profiles`;
  throw new ConfigError(
    `No profile ${quotedName(selection.name)} (from ${selection.source.description}): ${where}`,
    { advice: `add it under "profiles" in the config file, or select another` },
  );
}

/**
 * A profile name as messages show it: an unknown one may be a key pasted into the wrong
 * variable, so a long one, or one that looks like a key or a token, is not repeated.
 */
function quotedName(name: string): string {
  return name.length <= 32 && !/^(tmx_|eyj)/i.test(name)
    ? `"${name}"`
    : `(a name of ${name.length} characters, not repeated here in case it is a secret)`;
}

/** What the chain found: like {@link Credentials}, but the user name and key may be missing. */
export interface ResolvedCredentials extends Partial<Omit<Credentials, 'source' | 'searched'>> {
  source: Partial<CredentialSources>;
  searched: Credentials['searched'];
}

/**
 * Walk the credentials chain without requiring anything: per value, highest first, `options` →
 * the environment → `.env` in `cwd` (never overriding the real environment, never written into
 * `process.env`) → the config file. For tools that must report what is and is not configured
 * (a CLI's `status`); most code wants {@link loadCredentials}.
 *
 * Throws `ConfigError` only when a file is malformed or the base URL is plain http:// to a
 * non-loopback host. A config file readable by group or others is reported through `onWarning`.
 */
export function resolveCredentials(options: LoadCredentialsOptions = {}): ResolvedCredentials {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const warn = options.onWarning ?? defaultWarn;
  const dotenvPath = join(cwd, '.env');
  const dotenv = readDotenv(dotenvPath);
  const config = configLocation(options, env, dotenv, cwd);
  const file = readConfigFile(config.path, config.explicit, optionName(options, 'configPath', 'configPath'));
  if (file) {
    const warning = permissionWarning(config.path);
    if (warning) warn(warning);
  }
  const selection = selectProfile(options, env, dotenv, dotenvPath);
  const profile = selection ? profileSettings(selection, file, config.path) : undefined;
  // A profile a directory's .env picked is that directory's choice, as a file .env names is.
  const configFromDirectory = config.namedBy === 'dotenv' || selection?.source.origin === 'dotenv';
  const profileDescription = (key: string) => `"${key}" of profile "${selection?.name}" in ${config.path}`;
  if (profile?.api_url !== undefined) {
    // Checked even where the environment overrides it: a profile that would send the key in
    // the clear is wrong whichever settings happen to win today.
    normalizeBaseUrl(profile.api_url, profileDescription('api_url'));
  }

  const values: Partial<Record<Field, string>> = {};
  const source: Partial<CredentialSources> = {};
  for (const field of ['userName', 'apiKey', 'accountName', 'baseUrl'] as const) {
    const envName = ENV_NAMES[field];
    const configKey = CONFIG_KEYS[field];
    const candidates: [string | undefined, CredentialSource][] = [
      [
        options[field],
        { origin: 'option', name: field, description: optionName(options, field) ?? `option ${field}` },
      ],
      [env[envName], { origin: 'env', name: envName, description: `environment variable ${envName}` }],
      [
        dotenv?.[envName],
        {
          origin: 'dotenv',
          name: envName,
          path: dotenvPath,
          description: `${envName} in ${dotenvPath}`,
          fromDirectory: true,
        },
      ],
      [
        profile?.[configKey],
        {
          origin: 'config',
          name: `profiles.${selection?.name}.${configKey}`,
          path: config.path,
          description: profileDescription(configKey),
          ...(configFromDirectory ? { fromDirectory: true } : {}),
        },
      ],
      [
        file?.[configKey],
        {
          origin: 'config',
          name: configKey,
          path: config.path,
          description: `"${configKey}" in ${config.path}`,
          ...(config.namedBy === 'dotenv' ? { fromDirectory: true } : {}),
        },
      ],
    ];
    for (const [raw, from] of candidates) {
      const value = present(raw);
      if (value !== undefined) {
        values[field] = value;
        source[field] = from;
        break;
      }
    }
    // A profile's setting hidden by the environment surprises: `--profile live` with
    // TESTMAX_API_URL still exported from a test would talk to the test server.
    const winner = source[field];
    if (profile?.[configKey] !== undefined && (winner?.origin === 'env' || winner?.origin === 'dotenv')) {
      warn(
        `profile "${selection?.name}" sets "${configKey}", but ${winner.description} overrides it (the environment and .env come before the config file)`,
      );
    }
  }
  if (selection) source.profile = selection.source;
  if (values.baseUrl !== undefined && source.baseUrl) {
    values.baseUrl = normalizeBaseUrl(values.baseUrl, source.baseUrl.description);
  }

  const resolved: ResolvedCredentials = {
    ...values,
    ...(selection ? { profile: selection.name } : {}),
    source,
    searched: { dotenvPath, configPath: config.path },
  };
  // Printing or serialising the result must not show the key; spreading it still works.
  const safe = () => ({ ...resolved, ...(resolved.apiKey === undefined ? {} : { apiKey: REDACTED }) });
  Object.defineProperty(resolved, 'toJSON', { value: safe, enumerable: false });
  Object.defineProperty(resolved, Symbol.for('nodejs.util.inspect.custom'), {
    value: safe,
    enumerable: false,
  });
  return resolved;
}

/**
 * Find TestMax credentials through the chain of {@link resolveCredentials}, and require a user
 * name and a key. `PROJECT_X_*` variables (the real-money gateway) are never read.
 *
 * Throws `ConfigError` when the user name or key is missing (naming every place it looked),
 * when a file is malformed, or when the base URL is plain http:// to a non-loopback host.
 */
export function loadCredentials(options: LoadCredentialsOptions = {}): Credentials {
  const resolved = resolveCredentials(options);
  const missing = (['userName', 'apiKey'] as const)
    .filter((f) => resolved[f] === undefined)
    .map((f) => ENV_NAMES[f]);
  if (missing.length > 0) {
    const env = options.env ?? process.env;
    const gateway = Object.keys(env).some((name) => name.startsWith('PROJECT_X_'))
      ? ' (PROJECT_X_* variables are ignored: they belong to the real-money TopstepX gateway)'
      : '';
    const { dotenvPath, configPath } = resolved.searched;
    const pass =
      missing.length > 1 ? 'userName and apiKey' : missing[0] === 'TESTMAX_USERNAME' ? 'userName' : 'apiKey';
    throw new ConfigError(
      `No TestMax credentials found: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set in the environment, in ${dotenvPath} or in the config file ${configPath}${gateway}`,
      {
        reason: 'missing',
        advice: `set ${missing.length > 1 ? 'them' : 'it'} in one of those places (config keys username, api_key) or pass ${pass}`,
      },
    );
  }
  checkKeyDestination(resolved);
  return resolved as Credentials;
}

/**
 * Throw a `ConfigError` when sending the key to the base URL the chain found would let the
 * working directory decide where your key goes: the URL came from a `.env` (or a config file
 * it named) and the key from anywhere else — the environment, your own config file, a prompt.
 * A `.env` belongs to whatever directory you run in, a cloned repository for instance.
 * `loadCredentials` checks this itself; a tool that reads the chain with `resolveCredentials`
 * (which reports, and so never refuses) calls it before it sends a key, passing where that key
 * came from when it is not the chain's.
 */
export function checkKeyDestination(
  resolved: Pick<ResolvedCredentials, 'baseUrl' | 'source'>,
  key: Pick<CredentialSource, 'description' | 'path'> | undefined = resolved.source.apiKey,
): void {
  const url = resolved.source.baseUrl;
  // The same file chose both (a project's .env with the simulator's demo key), or the URL is
  // the one the SDK would use anyway: nothing is redirected.
  if (!url?.fromDirectory || !key || resolved.baseUrl === DEFAULT_BASE_URL) return;
  if (key.path !== undefined && key.path === url.path) return;
  throw new ConfigError(
    `The API URL comes from ${url.description} but the API key from ${key.description}, so that file would decide where your key is sent`,
    {
      advice: `set TESTMAX_API_URL in the environment (or pass the base URL) as well, or keep the key in that same file`,
    },
  );
}

/**
 * The profile names of the config file `loadCredentials` would read (for shell completion and
 * messages). Never throws: a missing or malformed file has none.
 */
export function profileNames(options: Omit<LoadCredentialsOptions, 'profile'> = {}): string[] {
  try {
    const env = options.env ?? process.env;
    const cwd = resolve(options.cwd ?? process.cwd());
    const dotenv = readDotenv(join(cwd, '.env'));
    const config = configLocation(options, env, dotenv, cwd);
    return Object.keys(
      readConfigFile(config.path, false, optionName(options, 'configPath', 'configPath'))?.profiles ?? {},
    );
  } catch {
    return [];
  }
}
