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
/** Issue 16: the `AuthSession` bundle, and the size of packages/auth/src. */
const SESSION_TARGET_GZIP = 9_000;
const LINES_TARGET = 2_000;
const FILE_LINES_TARGET = 250;
/** The fleet's code (issue 12), counted apart from the rest of packages/auth/src. */
const FLEET_FILES = new Set([
  'token-store.ts',
  'memory-token-store.ts',
  'store-support.ts',
  'rate-limiter.ts',
  'create-rate-limiter.ts',
  'memory-rate-limit.ts',
  'rate-limit-rules.ts',
  'file-token-store.ts',
  'store-link.ts',
  'session-limiter.ts',
  'token-file.ts',
]);

/** Lines of every .ts file under packages/auth/src (as `wc -l` counts them), fleet apart. */
async function sourceLines() {
  const dir = join(ROOT, 'packages', 'auth', 'src');
  const files = [];
  const visit = async (at, prefix) => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      if (entry.isDirectory()) await visit(join(at, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(join(at, entry.name), 'utf8');
        const lines = text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined);
        files.push({
          name: `${prefix}${entry.name}`,
          lines: lines.length,
          comments: lines.filter((line) => /^\s*(\/\/|\/\*|\*)/.test(line)).length,
          blank: lines.filter((line) => line.trim() === '').length,
        });
      }
    }
  };
  await visit(dir, '');
  const sum = (list) => list.reduce((n, f) => n + f.lines, 0);
  const fleet = files.filter((f) => FLEET_FILES.has(f.name));
  const rest = files.filter((f) => !FLEET_FILES.has(f.name));
  const over = files.filter((f) => f.lines > FILE_LINES_TARGET).sort((a, b) => b.lines - a.lines);
  const restComments = rest.reduce((n, f) => n + f.comments, 0);
  const restBlank = rest.reduce((n, f) => n + f.blank, 0);
  return {
    total: sum(files),
    fleet: sum(fleet),
    rest: sum(rest),
    restComments,
    restBlank,
    files: files.length,
    over,
  };
}
/** Kept in step with SDK_BUDGET in apps/reliability/test/size-budget.test.ts (what CI enforces). */
const ENFORCED_BUDGET = 22_250;

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
  const session = bundles[1];
  const bare = await withoutMessages();
  const footprint = await cliFootprint();
  const lines = await sourceLines();
  return {
    title: '4. Size',
    target: `auth + client + openapi-fetch ≤ 6 kB gzip; \`AuthSession\` ≤ 9 kB gzip; packages/auth/src ≤ ${LINES_TARGET.toLocaleString('en')} lines, no file over ~${FILE_LINES_TARGET}`,
    data: {
      bundles,
      withoutMessages: { minified: bare.minified, gzip: bare.gzip },
      footprint,
      lines,
      targetGzip: TARGET_GZIP,
      sessionTargetGzip: SESSION_TARGET_GZIP,
      linesTarget: LINES_TARGET,
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
      `Target ≤ ${fmt.kB(SESSION_TARGET_GZIP)} gzip for \`AuthSession\` alone (issue 16): **${session.gzip <= SESSION_TARGET_GZIP ? 'met' : 'not met'}** (${fmt.kB(session.gzip)}).`,
      '',
      `packages/auth/src: **${lines.total.toLocaleString('en')} lines** in ${lines.files} files (as \`wc -l\` counts, comments and blank lines included): ${lines.rest.toLocaleString('en')} for the session, transport, credentials and hardening, ${lines.fleet.toLocaleString('en')} for the fleet (token stores, the rate limiter, the store link and the session's limiter). Target ≤ ${LINES_TARGET.toLocaleString('en')} for the same behaviour: **${lines.rest <= LINES_TARGET ? 'met' : 'not met'}**. Files over ${FILE_LINES_TARGET} lines: ${lines.over.length === 0 ? 'none' : lines.over.map((f) => `${f.name} (${f.lines})`).join(', ')}.`,
      '',
      `CLI installed footprint (\`pnpm deploy --prod\` of @testmax/cli, production dependencies only): **${footprint.packages.length} packages, ${fmt.kB(footprint.bytes)} in ${footprint.files} files** — ${footprint.packages.join(', ')}.`,
    ].join('\n'),
    met: sdk.gzip <= TARGET_GZIP && session.gzip <= SESSION_TARGET_GZIP && lines.rest <= LINES_TARGET,
  };
}
