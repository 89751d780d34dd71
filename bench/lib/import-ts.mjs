// Import one of the workspace's TypeScript test helpers (packages/test-support) from a plain
// benchmark: esbuild strips the types, and the module runs from a data: URL with its own file
// URL put back for `import.meta.url`. Only for helpers whose imports are Node built-ins.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { load } from './deps.mjs';

export async function importTs(path) {
  const { transform } = await load('esbuild');
  const source = readFileSync(path, 'utf8').replaceAll(
    'import.meta.url',
    JSON.stringify(pathToFileURL(path).href),
  );
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20' });
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
