import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docsDir } from './support/site.js';

// guide/other-languages.md shows what CI runs (apps/consumers): each command marked
// `<!-- consumer-command: SCRIPT -->` is that package.json script as a user types it (the
// bundle as `openapi.json`, the tool through `npx -p` at the version CI pins), and each file
// marked `<!-- consumer-file: PATH -->` is that consumer, byte for byte.

const consumers = join(docsDir, '..', 'consumers');
const page = readFileSync(join(docsDir, 'guide', 'other-languages.md'), 'utf8');
const scripts = (
  JSON.parse(readFileSync(join(consumers, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The bin each script starts, and the package that has it. */
const PACKAGES: Record<string, string> = {
  'openapi-ts': '@hey-api/openapi-ts',
  orval: 'orval',
  oazapfts: 'oazapfts',
  openapi: 'openapi-typescript-codegen',
  'swagger-typescript-api': 'swagger-typescript-api',
  quicktype: 'quicktype',
};

function installedVersion(name: string): string {
  const manifest = join(consumers, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** A script as the page must show it. */
function asTyped(script: string): string {
  return script
    .replaceAll('../../spec/dist/openapi.json', 'openapi.json')
    .split(' && ')
    .map((step) => {
      const bin = step.split(' ')[0]!;
      const name = PACKAGES[bin];
      return name ? `npx -y -p ${name}@${installedVersion(name)} ${step}` : step;
    })
    .join(' && ');
}

function marked(kind: 'command' | 'file'): Map<string, string> {
  const blocks = new Map<string, string>();
  const pattern = new RegExp(`<!-- consumer-${kind}: (\\S+) -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  for (const [, name, body] of page.matchAll(pattern)) blocks.set(name!, body!);
  return blocks;
}

describe('guide/other-languages.md', () => {
  const commands = marked('command');
  const files = marked('file');

  it('shows the generate command of every consumer CI runs', () => {
    const generators = Object.keys(scripts).filter((name) => name.startsWith('generate:'));
    expect([...commands.keys()].sort()).toEqual(generators.sort());
  });

  it.each([...marked('command')])('shows %s exactly as CI runs it', (name, shown) => {
    expect(shown.replace(/ \\\n\s*/g, ' ')).toBe(asTyped(scripts[name]!));
  });

  it('shows the Python, Go and TypeScript consumers CI runs', () => {
    expect([...files.keys()]).toEqual(
      expect.arrayContaining(['python/consumer.py', 'go/main.go', 'typescript/hey-api.ts']),
    );
  });

  it.each([...marked('file')])('shows %s as it is in apps/consumers', (path, shown) => {
    expect(shown).toBe(readFileSync(join(consumers, path), 'utf8').replace(/\n$/, ''));
  });
});
