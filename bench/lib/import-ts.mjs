// Import one of the workspace's TypeScript test helpers (packages/test-support) from a plain
// benchmark: esbuild bundles it with the helpers it imports (packages stay external), each
// file's `import.meta.url` kept as its own file URL, and the result runs from a data: URL.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { load } from './deps.mjs';

export async function importTs(path) {
  const { build } = await load('esbuild');
  const keepFileUrl = {
    name: 'keep-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => ({
        contents: readFileSync(args.path, 'utf8').replaceAll(
          'import.meta.url',
          JSON.stringify(pathToFileURL(args.path).href),
        ),
        loader: 'ts',
      }));
    },
  };
  const result = await build({
    entryPoints: [path],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    plugins: [keepFileUrl],
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
