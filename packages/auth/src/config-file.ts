import { ConfigError } from './errors.js';
import { MAX_SETTINGS_FILE_BYTES, type RegularFileRead, readRegularFileSync } from './regular-file.js';

/**
 * The settings of `config.json` (snake_case, as the DESIGN fixes). A key that is another
 * spelling of one of them (`apiUrl`, `baseUrl`, `userName`, `apikey`) is an error naming the
 * right one: ignored, it would send the key to the default URL. Other keys are ignored, so a
 * file a newer version writes still works.
 */
export interface ConfigFileSettings {
  username?: string;
  api_key?: string;
  account_name?: string;
  api_url?: string;
}

/** `config.json`: settings at the top, and named sets of them under `profiles`. */
export interface ConfigFileValues extends ConfigFileSettings {
  /** `profiles.NAME`: settings that override the top-level ones when the profile is selected. */
  profiles?: Record<string, ConfigFileSettings>;
}

const KEYS = ['username', 'api_key', 'account_name', 'api_url'] as const;

/** Spellings people reach for, by their letters alone (case, `_` and `-` dropped). */
const MEANT: Readonly<Record<string, (typeof KEYS)[number]>> = {
  username: 'username',
  user: 'username',
  apikey: 'api_key',
  key: 'api_key',
  accountname: 'account_name',
  account: 'account_name',
  apiurl: 'api_url',
  baseurl: 'api_url',
  url: 'api_url',
};

/** The known key a misspelt one stands for, or undefined for a key that is not one. */
function meantKey(key: string): (typeof KEYS)[number] | undefined {
  if ((KEYS as readonly string[]).includes(key)) return undefined;
  return MEANT[key.toLowerCase().replace(/[_-]/g, '')];
}

/**
 * A profile name: it names a keychain entry and a token file, and is typed on command lines, so
 * letters, digits, `.`, `_` and `-`, starting with a letter or digit.
 */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The string settings of one JSON object; `where` names it in messages ("", "profile \"paper\" of "). */
function settingsOf(record: Record<string, unknown>, path: string, where: string): ConfigFileSettings {
  const values: ConfigFileSettings = {};
  for (const key of Object.keys(record)) {
    const meant = meantKey(key);
    if (meant === undefined) continue;
    // The key's name is the user's own typing, never a secret: it is safe to repeat.
    throw new ConfigError(
      `The config file ${path} has "${key.slice(0, 40)}"${where}, which is not a setting`,
      {
        advice: `write it as "${meant}" (the settings are ${KEYS.join(', ')})`,
      },
    );
  }
  for (const key of KEYS) {
    const value = record[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      throw new ConfigError(`The config file ${path} has a non-string "${key}"${where}`, {
        advice: `make it a JSON string`,
      });
    }
    if (value.trim() !== '') values[key] = value.trim();
  }
  return values;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function profilesOf(value: unknown, path: string): Record<string, ConfigFileSettings> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    throw new ConfigError(`The config file ${path} has a "profiles" that is not an object`, {
      advice: `make it { "NAME": { "username": …, "api_url": … } }`,
    });
  }
  const profiles: Record<string, ConfigFileSettings> = {};
  for (const [name, settings] of Object.entries(value)) {
    if (!PROFILE_NAME.test(name)) {
      // Not repeated: a long or odd name may be something pasted there by mistake.
      throw new ConfigError(`The config file ${path} has a profile with an invalid name`, {
        advice: `use letters, digits, ".", "_" and "-" (up to 64)`,
      });
    }
    const shown = `"${name}"`;
    if (!isObject(settings)) {
      throw new ConfigError(`The config file ${path} has a profile ${shown} that is not an object`, {
        advice: `fix it`,
      });
    }
    profiles[name] = settingsOf(settings, path, ` in profile ${shown}`);
  }
  return profiles;
}

/** Where a JSON syntax error is, as "line L, column C", without quoting the (secret) text. */
function syntaxOffset(message: string, text: string): number | undefined {
  const position = /position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  // V8 also says: Unexpected token 'x', ..."<text around it>"... is not valid JSON
  const quoted = /^Unexpected token '(.)', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON/.exec(
    message,
  );
  if (!quoted?.[1] || quoted[2] === undefined) return undefined;
  const start = text.indexOf(quoted[2]);
  const within = quoted[2].indexOf(quoted[1]);
  return start < 0 || within < 0 ? undefined : start + within;
}

function syntaxPosition(error: unknown, text: string): string {
  const offset = syntaxOffset(error instanceof Error ? error.message : '', text);
  if (offset === undefined) return 'somewhere in the file';
  const before = text.slice(0, offset).split('\n');
  return `at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/**
 * Parse and check config JSON. Errors name the file and the problem but never quote the
 * content: JSON.parse's own message would echo the API key.
 */
export function parseConfigFile(text: string, path: string): ConfigFileValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(`The config file ${path} is not valid JSON (${syntaxPosition(error, text)})`, {
      advice: `fix it or remove it`,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`The config file ${path} must hold a JSON object with username and api_key`, {
      advice: `fix it or remove it`,
    });
  }
  const record = parsed as Record<string, unknown>;
  const profiles = profilesOf(record.profiles, path);
  return { ...settingsOf(record, path, ''), ...(profiles ? { profiles } : {}) };
}

/**
 * Read the config file. A missing file is `undefined` unless it was named explicitly
 * (`configPath`, `TESTMAX_CONFIG`): then its absence is an error the user needs to see.
 * `pathOption` is what the caller's users know the `configPath` option as (`null`: no such option).
 */
export function readConfigFile(
  path: string,
  explicit: boolean,
  pathOption: string | null = 'configPath',
): ConfigFileValues | undefined {
  // Only a path the user named can be fixed where they named it; the default one is theirs to mend.
  const fix = explicit
    ? `fix the path in TESTMAX_CONFIG${pathOption === null ? '' : ` or ${pathOption}`}`
    : 'make it a JSON file or remove it';
  let file: RegularFileRead;
  try {
    file = readRegularFileSync(path, { maxBytes: MAX_SETTINGS_FILE_BYTES });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`The config file ${path} could not be read (${code ?? 'unknown error'})`, {
      advice: `${fix}`,
      cause: error,
    });
  }
  if (file.kind === 'missing') {
    if (!explicit) return undefined;
    throw new ConfigError(`The config file ${path} does not exist`, { advice: `${fix}` });
  }
  // Anything but a regular file of sane size (a FIFO, /dev/urandom) is refused, never read.
  if (file.kind === 'refused')
    throw new ConfigError(`The config file ${path} ${file.problem}`, { advice: `${fix}` });
  return parseConfigFile(file.text, path);
}
