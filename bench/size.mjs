// 4. Size: the browser bundle of client + auth, and the CLI's installed footprint.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleSize, SDK_ENTRY } from '../apps/reliability/src/size.mjs';
import { ROOT } from './lib/deps.mjs';
import { fmt } from './lib/stats.mjs';

const TARGET_GZIP = 6_000;
/** Kept in step with SDK_BUDGET in apps/reliability/test/size-budget.test.ts (what CI enforces). */
const ENFORCED_BUDGET = 17_800;

/** Bytes of every file under `dir`, not following symlinks (pnpm links packages). */
async function walk(dir) {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = await walk(path);
      bytes += inner.bytes;
      files += inner.files;
    } else if (entry.isFile()) {
      bytes += (await lstat(path)).size;
      files++;
    }
  }
  return { bytes, files };
}

/**
 * How much of the auth bundle is human-readable message text: the same bundle with every
 * string or template literal of @testmax/auth that reads like a sentence (a space, 25+ chars)
 * replaced by ''. Found with TypeScript's parser, so nothing but literals is touched.
 */
async function withoutMessages() {
  const ts = createRequire(join(ROOT, 'package.json'))('typescript');
  const strip = (file) => {
    let src = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, src, ts.ScriptTarget.ES2022, true);
    const edits = [];
    const visit = (node) => {
      const text = node.getText(sf);
      const literal =
        ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);
      if (literal && text.length >= 25 && text.includes(' ')) {
        edits.push([node.getStart(sf), node.getEnd()]);
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    for (const [start, end] of edits.sort((a, b) => b[0] - a[0]))
      src = `${src.slice(0, start)}''${src.slice(end)}`;
    return src;
  };
  const plugin = {
    name: 'strip-messages',
    setup(build) {
      build.onLoad({ filter: /[\\/]auth[\\/]dist[\\/].*\.js$/ }, (args) => ({
        contents: strip(args.path),
        loader: 'js',
      }));
    },
  };
  return bundleSize(SDK_ENTRY, [plugin]);
}

/** `pnpm deploy --prod` the CLI into a temp dir: what `npm i -g @testmax/cli` would install. */
async function cliFootprint() {
  const target = await mkdtemp(join(tmpdir(), 'testmax-cli-deploy-'));
  try {
    const result = spawnSync('pnpm', ['--filter', '@testmax/cli', 'deploy', '--prod', '--legacy', target], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`pnpm deploy failed: ${result.stderr}`);
    const store = join(target, 'node_modules', '.pnpm');
    const packages = (await readdir(store, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && e.name !== 'node_modules')
      .map((e) => e.name.replace(/@file\+.*$/, '').replace(/^@([^+]+)\+/, '@$1/'));
    const total = await walk(target);
    return { packages: ['@testmax/cli', ...packages], ...total };
  } finally {
    await rm(target, { recursive: true, force: true });
  }
}

export async function sizes() {
  const entries = [
    ['auth + client (everything both export)', SDK_ENTRY],
    ['`AuthSession` only', "export { AuthSession } from '@testmax/auth';"],
    ['`createClient` only (client + openapi-fetch)', "export { createClient } from '@testmax/client';"],
    ['baseline: openapi-fetch alone', "export { default } from 'openapi-fetch';"],
  ];
  const bundles = [];
  for (const [name, source] of entries) bundles.push({ name, ...(await bundleSize(source)) });
  const sdk = bundles[0];
  const bare = await withoutMessages();
  const footprint = await cliFootprint();
  return {
    title: '4. Size',
    target: 'auth + client + openapi-fetch ≤ 6 kB gzip',
    data: {
      bundles,
      withoutMessages: { minified: bare.minified, gzip: bare.gzip },
      footprint,
      targetGzip: TARGET_GZIP,
      enforcedBudget: ENFORCED_BUDGET,
    },
    markdown: [
      'esbuild, `platform: browser` (so the runtime-neutral entry of @testmax/auth is taken), ESM, minified, then gzip -9.',
      '',
      '| bundle | minified | gzip |',
      '|---|---|---|',
      ...bundles.map((b) => `| ${b.name} | ${fmt.kB(b.minified)} | ${fmt.kB(b.gzip)} |`),
      '',
      `Of that, message text (every sentence-like string in @testmax/auth: the errors' "what happened, what to do", log lines) is ${fmt.kB(sdk.gzip - bare.gzip)} gzip: the same bundle without it is ${fmt.kB(bare.gzip)}.`,
      '',
      `Target ≤ ${fmt.kB(TARGET_GZIP)} gzip for auth + client + openapi-fetch: **${sdk.gzip <= TARGET_GZIP ? 'met' : 'not met'}** (${fmt.kB(sdk.gzip)}, ${(sdk.gzip / TARGET_GZIP).toFixed(2)}× the target). Node built-ins in the bundle: ${sdk.nodeBuiltins.length === 0 ? 'none' : sdk.nodeBuiltins.join(', ')}. CI enforces a budget of ${fmt.kB(ENFORCED_BUDGET)} (\`apps/reliability/test/size-budget.test.ts\`, a ratchet until the target is reached).`,
      '',
      `CLI installed footprint (\`pnpm deploy --prod\` of @testmax/cli, production dependencies only): **${footprint.packages.length} packages, ${fmt.kB(footprint.bytes)} in ${footprint.files} files** — ${footprint.packages.join(', ')}.`,
    ].join('\n'),
    met: sdk.gzip <= TARGET_GZIP,
  };
}
