// Text from other sources (help strings, the spec) placed in a Markdown page.

/** Prose for a paragraph or table cell: Vue must not read `<email>` or `{{` as its own, nor a table a `|`. */
export function prose(text) {
  return text.replaceAll('<', '&lt;').replaceAll('{{', '&#123;&#123;').replaceAll('|', '\\|');
}
