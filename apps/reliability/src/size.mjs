import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** What a browser or worker app imports: the runtime-neutral entry of auth, and the client. */
export const SDK_ENTRY = "export * from '@testmax/auth';\nexport * from '@testmax/client';\n";

/**
 * Bundle `source` the way an app's bundler would for a browser (so the `node` export condition
 * of @testmax/auth is not taken), minify it, gzip it at level 9, and measure it. Shared by the
 * size-budget test and `pnpm bench`, so both report the same numbers.
 *
 * @param {string} [source]
 * @param {import('esbuild').Plugin[]} [plugins] e.g. one that rewrites sources, for what-if sizes
 * @returns {Promise<import('./size.d.mts').BundleSize>}
 */
export async function bundleSize(source = SDK_ENTRY, plugins = []) {
  const result = await build({
    plugins,
    stdin: { contents: source, resolveDir: import.meta.dirname, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const inputs = Object.keys(result.metafile.inputs);
  const nodeBuiltins = [
    ...new Set(
      Object.values(result.metafile.inputs)
        .flatMap((input) => input.imports)
        .map((i) => i.path)
        .filter((path) => path.startsWith('node:') || ['fs', 'path', 'os', 'crypto'].includes(path)),
    ),
  ];
  return { minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, inputs, nodeBuiltins };
}
