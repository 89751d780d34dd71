// Package READMEs are written for GitHub and npm, not for VitePress: relative links point at repo
// files the site does not contain, and a bare `<T>` in prose would break Vue's template compiler.
// This makes a README safe to embed without touching the package's own file.

const SAFE_TAGS = new Set(
  'a abbr b br code del details div em h1 h2 h3 h4 h5 h6 hr i img kbd li ol p picture pre source span strong sub summary sup table tbody td th thead tr ul'.split(
    ' ',
  ),
);

/** Escape `<` that does not open a known HTML tag, and `{{` Vue would interpolate, in prose only. */
function escapeProse(text) {
  return text
    .replace(/<(?!https?:\/\/|mailto:)(\/?)([A-Za-z][\w-]*)?/g, (match, slash, tag) =>
      tag && SAFE_TAGS.has(tag.toLowerCase()) ? match : `&lt;${slash}${tag ?? ''}`,
    )
    .replace(/\{\{/g, '&#123;&#123;');
}

/** Outside code spans, escape prose; code spans are rendered verbatim by markdown-it already. */
function escapeLine(line) {
  return line
    .split(/(`+[^`]*`+)/)
    .map((part, i) => (i % 2 === 1 ? part : escapeProse(part)))
    .join('');
}

/**
 * @param {string} markdown the README text
 * @param {string} blobBase e.g. https://github.com/org/repo/blob/main/packages/auth/
 */
export function prepareReadme(markdown, blobBase) {
  let inFence = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        inFence = !inFence;
        return line;
      }
      if (inFence) return line;
      const linked = line.replace(/(\]\()(?!https?:|mailto:|#)([^)\s]+)(\))/g, (_m, open, target, close) => {
        return `${open}${new URL(target, blobBase).href}${close}`;
      });
      return escapeLine(linked);
    })
    .join('\n');
}
