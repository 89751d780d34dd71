import { ConfigError } from './errors.js';
import { MAX_SETTINGS_FILE_BYTES, type RegularFileRead, readRegularFileSync } from './regular-file.js';

/** The keys of `config.json` (snake_case, as the DESIGN fixes). Unknown keys are ignored. */
export interface ConfigFileValues {
  username?: string;
  api_key?: string;
  account_name?: string;
  api_url?: string;
}

const KEYS = ['username', 'api_key', 'account_name', 'api_url'] as const;

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
  const values: ConfigFileValues = {};
  for (const key of KEYS) {
    const value = record[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      throw new ConfigError(`The config file ${path} has a non-string "${key}"`, {
        advice: `make it a JSON string`,
      });
    }
    if (value.trim() !== '') values[key] = value.trim();
  }
  return values;
}

/**
 * Read the config file. A missing file is `undefined` unless it was named explicitly
 * (`configPath`, `TESTMAX_CONFIG`): then its absence is an error the user needs to see.
 */
export function readConfigFile(path: string, explicit: boolean): ConfigFileValues | undefined {
  const fix = 'fix the path in TESTMAX_CONFIG or configPath';
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
