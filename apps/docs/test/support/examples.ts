import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { docsDir } from './site.js';

export interface Example {
  lang: string;
  code: string;
}

/**
 * The code blocks a page marks with `<!-- example: name -->` on the line before the fence
 * (`page`: its path in the site's sources, `index.md` or `guide/getting-started.md`).
 * Blocks sharing a name are joined in order (a later block may rely on an earlier one's imports).
 */
export async function examplesIn(page: string): Promise<Map<string, Example>> {
  const markdown = await readFile(join(docsDir, page), 'utf8');
  const examples = new Map<string, Example>();
  for (const match of markdown.matchAll(/<!-- example: ([\w-]+) -->\n```(\w+)[^\n]*\n([\s\S]*?)\n```/g)) {
    const [, name, lang, code] = match as unknown as [string, string, string, string];
    const previous = examples.get(name);
    examples.set(name, { lang, code: previous ? `${previous.code}\n${code}` : code });
  }
  return examples;
}

let written = 0;

/**
 * Writes an example into test/.examples (so its bare imports resolve from this package, like a
 * user's project) and imports it, which runs it. `vitest` imports are pointed at a harness that
 * collects the example's tests, so they can run inside this one.
 */
export async function runExample(example: Example): Promise<void> {
  const dir = join(docsDir, 'test', '.examples');
  await mkdir(dir, { recursive: true });
  const harness = join(docsDir, 'test', 'support', 'example-harness.ts');
  const code = example.code.replace(/from 'vitest'/g, `from ${JSON.stringify(harness)}`);
  const file = join(dir, `example-${process.pid}-${++written}.${example.lang === 'js' ? 'mjs' : 'ts'}`);
  await writeFile(file, code);
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    await rm(file, { force: true });
  }
}
