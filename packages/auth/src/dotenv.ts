import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from './errors.js';

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

/** The variables of the `.env` file at `path`, or `undefined` when there is none. */
export function readDotenv(path: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError(
      `The .env file ${path} could not be read (${code ?? 'unknown error'}); fix its permissions or remove it.`,
      {
        cause: error,
      },
    );
  }
  return parseDotenv(text, path);
}
