import { readFileSync } from 'node:fs';

/** Read at run time from the package's own package.json, so there is one source of truth. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
