import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { h } from 'vue';
import './not-published.css';
import './wrap-code.css';

/**
 * The packages are not on npm yet, while most pages show `npm install @testmax/…`: every page
 * says so above its content, and where to find the from-a-clone recipe. Remove this once the
 * packages are published.
 */
function notPublished() {
  return h('div', { class: 'not-published', role: 'note' }, [
    h('strong', 'Not on npm yet. '),
    'The packages are not published yet, so ',
    h('code', 'npm install @testmax/…'),
    ' and ',
    h('code', 'npx @testmax/…'),
    ' do not work today. Until they are, ',
    h('a', { href: '/guide/getting-started.html#from-a-clone' }, 'build and install them from a clone'),
    '.',
  ]);
}

export default {
  extends: DefaultTheme,
  Layout: () =>
    h(DefaultTheme.Layout, null, {
      'doc-before': notPublished,
      'home-hero-actions-after': notPublished,
    }),
} satisfies Theme;
