import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface BrokenLink {
  page: string;
  link: string;
  reason: string;
}

async function htmlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.html')).map((e) => join(e.parentPath, e.name));
}

/** href/src attribute values, ignoring what scripts and styles contain (code, not markup). */
export function extractLinks(html: string): string[] {
  const markup = html
    .replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/gi, '$1$2')
    .replace(/(<style\b[^>]*>)[\s\S]*?(<\/style>)/gi, '$1$2');
  return [...markup.matchAll(/\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) =>
    (m[1] ?? m[2] ?? '').replaceAll('&amp;', '&'),
  );
}

function ids(html: string): Set<string> {
  return new Set([...html.matchAll(/\sid\s*=\s*"([^"]*)"/g)].map((m) => m[1] ?? ''));
}

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** The file a static host serves for a URL path: `/x/` → `/x/index.html`. */
function fileFor(root: string, pathname: string): string | undefined {
  const file = join(root, decodeURIComponent(pathname));
  if (existsSync(file) && statSync(file).isFile()) return file;
  const index = join(file, 'index.html');
  return existsSync(index) ? index : undefined;
}

/**
 * Checks every internal href and src of every page in a built site: the target file must exist,
 * and a `#fragment` on an HTML target must name an element id there. External links and the API
 * reference's client-side routes (`#/auth`) are not files and are skipped; a link from another
 * page to such a route (`/api/index.html#/auth/loginkey`) must find the page, and the browser
 * test opens the route itself.
 */
export async function checkLinks(
  root: string,
): Promise<{ checked: number; pages: number; broken: BrokenLink[] }> {
  const files = await htmlFiles(root);
  const cache = new Map<string, Set<string>>();
  const idsOf = async (file: string) => {
    let set = cache.get(file);
    if (!set) {
      set = ids(await readFile(file, 'utf8'));
      cache.set(file, set);
    }
    return set;
  };
  const broken: BrokenLink[] = [];
  let checked = 0;
  for (const file of files) {
    const page = `/${relative(root, file)}`;
    for (const link of extractLinks(await readFile(file, 'utf8'))) {
      if (link === '' || EXTERNAL.test(link) || link.startsWith('#/')) continue;
      checked++;
      const url = new URL(link, `http://site${page}`);
      const target = url.pathname === page && link.startsWith('#') ? file : fileFor(root, url.pathname);
      if (!target) {
        broken.push({ page, link, reason: 'no such file' });
        continue;
      }
      const fragment = decodeURIComponent(url.hash.slice(1));
      const route = fragment.startsWith('/');
      if (fragment && !route && target.endsWith('.html') && !(await idsOf(target)).has(fragment)) {
        broken.push({ page, link, reason: `no element with id "${fragment}"` });
      }
    }
  }
  return { checked, pages: files.length, broken };
}

export interface ExternalResource {
  page: string;
  tag: string;
  url: string;
}

/** Elements whose src/href the browser fetches as it renders (links the user follows are fine). */
const LOADING_TAG =
  /<(script|link|img|iframe|source|audio|video|embed|track)\b[^>]*?\s(?:src|href|srcset)\s*=\s*"([^"]*)"/gi;

/**
 * Every resource a built page would fetch from another host: a static sweep of all pages, to
 * back the in-browser check of the main ones. Script bodies are code and are not inspected.
 */
export async function externalResources(root: string): Promise<ExternalResource[]> {
  const found: ExternalResource[] = [];
  for (const file of await htmlFiles(root)) {
    const markup = (await readFile(file, 'utf8')).replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/gi, '$1$2');
    for (const [, tag, url] of markup.matchAll(LOADING_TAG) as Iterable<[string, string, string]>) {
      if (/^(?:https?:)?\/\//i.test(url)) found.push({ page: `/${relative(root, file)}`, tag, url });
    }
  }
  return found;
}
