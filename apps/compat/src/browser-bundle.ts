import { builtinModules } from 'node:module';
import { build, type Plugin } from 'esbuild';

export interface BrowserBundle {
  /** The IIFE script; it defines `globalThis.TestMax`. */
  code: string;
  /** Node built-ins something in the bundle tried to import (must be empty). */
  nodeBuiltins: string[];
}

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * Bundle the browser-facing packages the way a web app would (esbuild, platform browser).
 * Node built-ins are recorded rather than failing inside esbuild, so the test can say which
 * import pulled one in.
 */
export async function bundleForBrowser(
  entry: { file: string } | { source: string; resolveDir: string },
): Promise<BrowserBundle> {
  const nodeBuiltins: string[] = [];
  const recordBuiltins: Plugin = {
    name: 'record-node-builtins',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        if (!builtins.has(args.path)) return undefined;
        nodeBuiltins.push(`${args.path} (imported by ${args.importer || 'the entry'})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.source, resolveDir: entry.resolveDir, sourcefile: 'entry.js' } }),
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: 'TestMax',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [recordBuiltins],
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  return { code: output.text, nodeBuiltins };
}
