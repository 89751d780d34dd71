import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as neutral from '../src/index.js';
import * as node from '../src/node.js';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every source file reachable from `entry` through relative imports, with its bare imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const bare: string[] = [];
    graph.set(file, bare);
    for (const [, spec] of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+'([^']+)'/gm)) {
      if (!spec) continue;
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      // The platform module a bundler for browsers resolves (package.json "imports", default).
      else if (spec === '#platform') visit(join(src, 'platform', 'neutral.ts'));
      else bare.push(spec);
    }
  };
  visit(join(src, entry));
  return graph;
}

describe('entry points', () => {
  it('the neutral entry reaches no node: module and no Node-only file', () => {
    const graph = importGraph('index.ts');
    const bare = [...graph.values()].flat();
    expect(bare.filter((s) => s.startsWith('node:') || ['fs', 'os', 'path', 'util'].includes(s))).toEqual([]);
    expect(new Set(bare)).toEqual(new Set(['@testmax/client', 'openapi-fetch']));
    const files = [...graph.keys()].map((f) => f.slice(src.length + 1));
    for (const nodeOnly of ['credentials.ts', 'dotenv.ts', 'config-file.ts', 'permissions.ts', 'node.ts']) {
      expect(files).not.toContain(nodeOnly);
    }
  });

  it('the neutral entry touches `process` only behind a guard', () => {
    for (const file of importGraph('index.ts').keys()) {
      const code = readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      for (const match of code.matchAll(/\bprocess\b/g)) {
        const line = code.slice(code.lastIndexOf('\n', match.index) + 1, code.indexOf('\n', match.index));
        expect(line, `${file}: ${line}`).toMatch(/globalThis as \{ process\?/);
      }
    }
  });

  it('package.json maps the node condition to the Node entry and the rest to the neutral one', () => {
    const pkg = JSON.parse(readFileSync(join(src, '../package.json'), 'utf8'));
    expect(pkg.exports['.']).toEqual({
      node: { types: './dist/node.d.ts', default: './dist/node.js' },
      types: './dist/index.d.ts',
      default: './dist/index.js',
    });
    expect(pkg.exports['./node'].default).toBe('./dist/node.js');
    expect(Object.keys(pkg.exports['.'])[0]).toBe('node');
    // One AuthSession class; where the node condition applies its fromEnv reads the environment.
    expect(pkg.imports['#platform']).toEqual({
      'testmax-source': './src/platform/node.ts',
      node: './dist/platform/node.js',
      default: './dist/platform/neutral.js',
    });
  });

  it('the Node entry exports everything the neutral one does, plus the credentials chain', () => {
    for (const name of Object.keys(neutral)) expect(node).toHaveProperty(name);
    expect(typeof node.loadCredentials).toBe('function');
    // One class (issue 16): the platform module differs, not the class.
    expect(node.AuthSession).toBe(neutral.AuthSession);
    expect(node.ConfigError).toBe(neutral.ConfigError);
  });

  it('every error class is a TestMaxError with a distinct code', () => {
    const make = [
      new neutral.AuthenticationError('m'),
      new neutral.InvalidCredentialsError('m'),
      new neutral.AccountDisabledError('m'),
      new neutral.SubscriptionRequiredError('m'),
      new neutral.TokenExpiredError('m'),
      new neutral.ApiError('m'),
      new neutral.RateLimitError('m', 1000),
      new neutral.NetworkError('m'),
      new neutral.TimeoutError('m', 5),
      new neutral.ConfigError('m'),
      new neutral.AccountNotFoundError('m', []),
    ];
    for (const e of make) {
      expect(e).toBeInstanceOf(neutral.TestMaxError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(e.constructor.name);
    }
    expect(new Set(make.map((e) => e.code)).size).toBe(make.length);
    for (const sub of make.slice(1, 5)) expect(sub).toBeInstanceOf(neutral.AuthenticationError);
    expect(make[6]).toBeInstanceOf(neutral.ApiError);
  });
});
