// bench/ is not a workspace package: its dependencies (the SDK packages, the mock server,
// openapi-fetch, esbuild) are resolved from apps/reliability, which declares them.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = join(import.meta.dirname, '..', '..');
export const HOST_PACKAGE = join(ROOT, 'apps', 'reliability', 'package.json');
const require = createRequire(HOST_PACKAGE);

/** Import a package as apps/reliability sees it (node conditions). */
export function load(specifier) {
  return import(pathToFileURL(require.resolve(specifier)).href);
}

export function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

/** The `testmax` bin as the package declares it: what `npm install -g` puts on PATH. */
export const CLI_BIN = join(packageDir('@testmax/cli'), require('@testmax/cli/package.json').bin.testmax);
