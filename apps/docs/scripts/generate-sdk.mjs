// The SDK reference: TypeDoc (markdown plugin + VitePress theme) run over each package's public
// entry points, so the pages can never drift from the code. A package that is not written yet, or
// that TypeDoc cannot read, gets a placeholder page instead of failing the docs build.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, LogLevel, OptionDefaults } from 'typedoc';
import { docsDir, generatedDir, repoRoot, repoUrl, sdkOutDir } from './paths.mjs';
import { placeholderPage } from './placeholder.mjs';
import { prepareReadme } from './readme.mjs';

/** The public entry points of each package (package.json `exports`, mapped back to src). */
export const SDK_PACKAGES = [
  {
    name: '@testmax/client',
    slug: 'client',
    dir: 'packages/client',
    entryPoints: { '@testmax/client': 'src/index.ts' },
  },
  {
    name: '@testmax/auth',
    slug: 'auth',
    dir: 'packages/auth',
    entryPoints: { '@testmax/auth': 'src/index.ts', '@testmax/auth/node': 'src/node.ts' },
  },
  {
    name: '@testmax/mock-server',
    slug: 'mock-server',
    dir: 'packages/mock-server',
    entryPoints: { '@testmax/mock-server': 'src/index.ts' },
  },
  {
    name: '@testmax/redis',
    slug: 'redis',
    dir: 'packages/redis',
    entryPoints: { '@testmax/redis': 'src/index.ts' },
  },
];

const plugins = ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'].map((name) =>
  fileURLToPath(import.meta.resolve(name)),
);

async function readmeFor(pkg) {
  const path = join(repoRoot, pkg.dir, 'README.md');
  if (!existsSync(path)) return 'none';
  const text = prepareReadme(await readFile(path, 'utf8'), `${repoUrl}/blob/main/${pkg.dir}/`);
  const copy = join(tmpdir(), `testmax-docs-readme-${pkg.slug}-${process.pid}.md`);
  await writeFile(copy, text);
  return copy;
}

/** Collects TypeDoc's errors so a failed package's placeholder can say why. */
function captureErrors(app) {
  const errors = [];
  const original = app.logger.error.bind(app.logger);
  app.logger.error = (message, ...rest) => {
    errors.push(typeof message === 'string' ? message : String(message));
    original(message, ...rest);
  };
  return errors;
}

async function convert(pkg, out) {
  const packageDir = join(repoRoot, pkg.dir);
  const entryFiles = Object.values(pkg.entryPoints).map((file) => join(packageDir, file));
  const missing = entryFiles.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    return { ok: false, reason: `missing ${missing.map((f) => f.slice(repoRoot.length)).join(', ')}` };
  }
  const tsconfig = ['tsconfig.build.json', 'tsconfig.json']
    .map((file) => join(packageDir, file))
    .find((file) => existsSync(file));
  const readme = await readmeFor(pkg);
  const app = await Application.bootstrapWithPlugins({
    name: pkg.name,
    entryPoints: entryFiles,
    entryPointStrategy: 'resolve',
    tsconfig,
    plugin: plugins,
    out,
    docsRoot: docsDir,
    readme,
    mergeReadme: readme !== 'none',
    // A package mid-rewrite may not typecheck; its own CI job reports that, not the docs build.
    skipErrorChecking: true,
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: true,
    blockTags: [...OptionDefaults.blockTags, '@description'],
    disableGit: true,
    gitRevision: 'main',
    // Module names and source paths are relative to this: `index`, `node` (renamed below).
    basePath: join(packageDir, 'src'),
    sourceLinkTemplate: `${repoUrl}/blob/{gitRevision}/${pkg.dir}/src/{path}#L{line}`,
    useCodeBlocks: true,
    parametersFormat: 'table',
    enumMembersFormat: 'table',
    hidePageHeader: true,
    logLevel: LogLevel.Error,
    sidebar: { autoConfiguration: true, format: 'vitepress', pretty: true, collapsed: true },
  });
  const errors = captureErrors(app);
  const project = await app.convert();
  if (readme !== 'none') await rm(readme, { force: true });
  if (!project) return { ok: false, reason: errors.join('\n') || 'TypeDoc could not convert the sources' };
  await app.generateOutputs(project);
  await dropInheritedFrom(out);
  if (errors.length > 0) return { ok: false, reason: errors.join('\n') };
  return { ok: true };
}

/** TypeDoc's "Inherited from" notes (one per inherited member of every error class): noise. */
async function dropInheritedFrom(dir) {
  for (const entry of await readdir(dir, { recursive: true })) {
    if (!entry.endsWith('.md')) continue;
    const file = join(dir, entry);
    const text = await readFile(file, 'utf8');
    const cleaned = text.replace(/^#{2,5} Inherited from\n\n[^\n]*\n\n?/gm, '');
    if (cleaned !== text) await writeFile(file, cleaned);
  }
}

/** TypeDoc names a module after its file; readers know the import specifier instead. */
function renameModules(items, pkg) {
  const byFile = Object.fromEntries(
    Object.entries(pkg.entryPoints).map(([specifier, file]) => [
      file.replace(/^src\/|\.ts$/g, ''),
      specifier,
    ]),
  );
  return items.map((item) => ({ ...item, text: byFile[item.text] ?? item.text }));
}

async function generatePackage(pkg) {
  const out = join(sdkOutDir, pkg.slug);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  let result;
  try {
    result = await convert(pkg, out);
  } catch (error) {
    result = { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const overview = { text: 'Overview', link: `/reference/sdk/${pkg.slug}/` };
  if (!result.ok) {
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    await writeFile(
      join(out, 'index.md'),
      placeholderPage({
        title: pkg.name,
        what: `The reference for \`${pkg.name}\` is generated from \`${pkg.dir}/src\` when the site is built, and that package could not be documented this time.`,
        how: 'Build the packages (`pnpm build` at the repository root builds them before the docs) and rebuild the site.',
        detail: result.reason,
      }),
    );
    return { pkg, ok: false, reason: result.reason, sidebar: [overview] };
  }
  const sidebarFile = join(out, 'typedoc-sidebar.json');
  const items = existsSync(sidebarFile) ? JSON.parse(await readFile(sidebarFile, 'utf8')) : [];
  await rm(sidebarFile, { force: true });
  return { pkg, ok: true, sidebar: [overview, ...renameModules(items, pkg)] };
}

async function indexPage(results) {
  const rows = [];
  for (const { pkg, ok } of results) {
    const manifest = JSON.parse(await readFile(join(repoRoot, pkg.dir, 'package.json'), 'utf8'));
    // A package that could not be documented says so where its description would be.
    const what = ok ? manifest.description : `**Not generated yet**: see [its page](./${pkg.slug}/).`;
    const imports = Object.keys(pkg.entryPoints)
      .map((s) => `\`${s}\``)
      .join(', ');
    rows.push(`| [\`${pkg.name}\`](./${pkg.slug}/) | ${imports} | ${what} |`);
  }
  return [
    '# SDK reference',
    '',
    'Generated by TypeDoc from the TypeScript sources of each package every time the site is built,',
    'so signatures, options and doc comments always match the published code.',
    '',
    '| package | import | what it is |',
    '|---|---|---|',
    ...rows,
    '',
    'New to the SDK? Start with [Getting started](../../guide/getting-started.md).',
    '',
  ].join('\n');
}

export async function generateSdk() {
  await mkdir(sdkOutDir, { recursive: true });
  const results = [];
  // One at a time: each TypeDoc run builds a TypeScript program, and CI has two cores.
  for (const pkg of SDK_PACKAGES) results.push(await generatePackage(pkg));
  await writeFile(join(sdkOutDir, 'index.md'), await indexPage(results));
  await mkdir(generatedDir, { recursive: true });
  const sidebar = results.map(({ pkg, sidebar }) => ({ text: pkg.name, collapsed: false, items: sidebar }));
  await writeFile(join(generatedDir, 'sdk-sidebar.json'), `${JSON.stringify(sidebar, null, 2)}\n`);
  return results
    .map(
      ({ pkg, ok, reason }) =>
        `SDK ${pkg.name}: ${ok ? 'generated' : `placeholder (${reason?.split('\n')[0]})`}`,
    )
    .join('\n');
}
