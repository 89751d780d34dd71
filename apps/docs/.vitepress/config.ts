import { existsSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitepress';

// Written by scripts/generate-sdk.mjs from the packages' TypeDoc output; absent before the first
// `pnpm build` / `pnpm dev`, in which case the SDK section shows only its overview page.
const sdkSidebarFile = new URL('./generated/sdk-sidebar.json', import.meta.url);
type SidebarItem = { text: string; link?: string; collapsed?: boolean; items?: SidebarItem[] };
const sdkSidebar: SidebarItem[] = existsSync(sdkSidebarFile)
  ? JSON.parse(readFileSync(sdkSidebarFile, 'utf8'))
  : [];

const GENERATED_TYPE_DUMPS = /^reference\/sdk\/client\/interfaces\/(paths|operations|components)\.md$/;

const guides: SidebarItem[] = [
  { text: 'Getting started', link: '/guide/getting-started' },
  { text: 'Credentials', link: '/guide/credentials' },
  { text: 'Token lifecycle', link: '/guide/token-lifecycle' },
  { text: 'Errors', link: '/guide/errors' },
  { text: 'Testing with the mock server', link: '/guide/testing-with-mock-server' },
  { text: 'Other languages', link: '/guide/other-languages' },
];

const reference: SidebarItem[] = [
  {
    text: 'Reference',
    items: [
      { text: 'Overview', link: '/reference/' },
      { text: 'HTTP API operations', link: '/reference/api' },
      { text: 'CLI', link: '/reference/cli' },
    ],
  },
  { text: 'SDK', items: [{ text: 'All packages', link: '/reference/sdk/' }, ...sdkSidebar] },
];

export default defineConfig({
  title: 'TestMax SDK',
  description:
    'TypeScript SDK, CLI, mock server and OpenAPI document for the TopStep Simulator API (TestMax).',
  lang: 'en-US',
  // README.md documents how to build the site; it is not a page of it.
  srcExclude: ['README.md', 'test/**'],
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  appearance: true,
  vite: {
    // Vite's dev-time dependency scan reads every .html under the root, including the generated
    // Redoc page in public/, whose inlined bundle it cannot parse; nothing there needs scanning.
    optimizeDeps: { entries: [] },
  },
  lastUpdated: false,
  // The SDK reference is TypeDoc's output and the packages' READMEs: its long signatures and
  // examples wrap (wrap-code.css) rather than hide behind a scrollbar. Hand-written pages keep
  // their lines short enough for 1280 px instead (apps/docs/biome.json formats their code at 66).
  transformPageData(pageData) {
    if (pageData.relativePath.startsWith('reference/sdk/')) {
      pageData.frontmatter.pageClass = ['wrap-code', pageData.frontmatter.pageClass]
        .filter(Boolean)
        .join(' ');
    }
  },
  themeConfig: {
    logo: '/favicon.svg',
    search: {
      provider: 'local',
      options: {
        // The client's generated `paths`, `operations` and `components` interfaces restate the
        // whole spec as types: indexing them doubled the search index and buried the guides.
        _render(src, env, md) {
          const html = md.render(src, env);
          return GENERATED_TYPE_DUMPS.test(env.relativePath) ? '' : html;
        },
        miniSearch: {
          searchOptions: {
            // Guides first, then the hand-written reference and the API's operations; TypeDoc's
            // property-by-property pages last, so "retry after" finds the guide that explains
            // it before `AuthSessionOptions › retry?`. Serialized into the site: self-contained.
            boostDocument(id: string) {
              if (id.startsWith('/guide/')) return 4;
              if (id.startsWith('/reference/sdk/')) return 0.4;
              return 1.5;
            },
          },
        },
      },
    },
    nav: [
      { text: 'Guide', link: '/guide/getting-started', activeMatch: '/guide/' },
      { text: 'SDK', link: '/reference/sdk/', activeMatch: '/reference/sdk/' },
      { text: 'CLI', link: '/reference/cli', activeMatch: '/reference/cli' },
      // A standalone Redoc page in public/: `target` makes VitePress's router leave it to the browser.
      { text: 'API reference', link: '/api/index.html', target: '_self' },
      {
        text: 'OpenAPI',
        items: [
          { text: 'openapi.json', link: '/openapi.json', target: '_self' },
          { text: 'openapi.yaml', link: '/openapi.yaml', target: '_self' },
        ],
      },
    ],
    sidebar: {
      '/guide/': [{ text: 'Guides', items: guides }],
      '/reference/': reference,
    },
    outline: { level: [2, 3] },
    socialLinks: [{ icon: 'github', link: 'https://github.com/testmax/testmax-sdk' }],
    footer: {
      message: 'The TopStep Simulator (TestMax) API, SDK and CLI. Released under the MIT License.',
    },
  },
});
