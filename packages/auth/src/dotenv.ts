import { parseEnv } from 'node:util';
import { ConfigError } from './errors.js';
import { MAX_SETTINGS_FILE_BYTES, type RegularFileRead, readRegularFileSync } from './regular-file.js';

/**
 * Parse `.env` text with Node's own parser. The values are returned, never put into
 * `process.env`: a library must not change its host's environment.
 */
export function parseDotenv(text: string, path: string): Record<string, string> {
  let parsed: NodeJS.Dict<string>;
  try {
    parsed = parseEnv(text);
  } catch {
    throw new ConfigError(`The .env file ${path} could not be parsed; write one KEY=value per line.`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/**
 * The variables of the `.env` file at `path`, or `undefined` when there is none. Anything but
 * a regular file of sane size (a FIFO, `/dev/zero`, a directory) is a `ConfigError` naming it.
 */
export function readDotenv(path: string): Record<string, string> | undefined {
  let file: RegularFileRead;
  try {
    file = readRegularFileSync(path, { maxBytes: MAX_SETTINGS_FILE_BYTES });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `The .env file ${path} could not be read (${code ?? 'unknown error'}); fix its permissions or remove it.`,
      { cause: error },
    );
  }
  if (file.kind === 'missing') return undefined;
  if (file.kind === 'refused')
    throw new ConfigError(`The .env file ${path} ${file.problem}; fix it or remove it.`);
  return parseDotenv(file.text, path);
}
