// The API reference: one self-contained Redoc page rendered from the spec (Redoc's scripts inlined,
// so the page makes no CDN request and works offline), plus the bundled spec for download.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { publicDir, specDir } from './paths.mjs';

const run = promisify(execFile);

function redoclyBin() {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@redocly/cli/package.json');
  return join(dirname(pkg), 'bin', 'cli.js');
}

// Redoc's sidebar footer loads its logo from cdn.redoc.ly; an offline page shows a local wordmark.
const REDOCLY_WORDMARK =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='64' height='16'%3E%3Ctext x='0' y='12' font-family='sans-serif' font-size='12' fill='%23888'%3ERedocly%3C/text%3E%3C/svg%3E";

/**
 * Redoc prerenders its own links as paths (`/auth`) and rewrites them to hash routes (`#/auth`)
 * only once its script runs; on a static host those paths are 404s. Point them at the hash routes
 * up front (outside scripts only) and drop the CDN logo.
 */
export function makeOffline(html) {
  return html
    .split(/(<script[\s\S]*?<\/script>)/)
    .map((part) =>
      part.startsWith('<script')
        ? part
        : part.replace(/href="\/(?!\/)([^"]*)"/g, (_m, route) => `href="#/${route}"`),
    )
    .join('')
    .replaceAll(/https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g, REDOCLY_WORDMARK);
}

/** The sidebar section (and route, `#/schemas/<name>`) that lists every component schema. */
export const SCHEMAS_TAG = 'Schemas';

export async function generateApi() {
  await mkdir(join(publicDir, 'api'), { recursive: true });
  await run(
    process.execPath,
    [
      redoclyBin(),
      'build-docs',
      join(specDir, 'openapi.yaml'),
      '--inlineBundle',
      '--title',
      'TestMax API reference',
      '--template',
      join(import.meta.dirname, 'redoc-template.hbs'),
      '--openapi.hideLoading=true',
      // One page with every operation, so readers can scroll and Ctrl+F through the whole API.
      '--openapi.pagination=none',
      // A "Schemas" section listing every component schema. A Redoc option rather than a tag of
      // <SchemaDefinition> embeds in the spec, so the published document carries no docs markup.
      `--openapi.schemaDefinitionsTagName=${SCHEMAS_TAG}`,
      '-o',
      join(publicDir, 'api', 'index.html'),
    ],
    {
      cwd: specDir,
      env: {
        ...process.env,
        REDOCLY_TELEMETRY: 'off',
        REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
        NO_COLOR: '1',
      },
    },
  );
  const page = join(publicDir, 'api', 'index.html');
  await writeFile(page, makeOffline(await readFile(page, 'utf8')));
  // The bundled spec (refs resolved) is what other languages' generators should read.
  for (const file of ['openapi.json', 'openapi.yaml']) {
    await copyFile(join(specDir, 'dist', file), join(publicDir, file));
  }
  return 'API reference: public/api/index.html, public/openapi.{json,yaml}';
}
