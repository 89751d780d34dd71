// The page shown in place of a generated reference whose package is not written or built yet, so
// the docs build never fails because another package is behind.

/** Text the browser test looks for to tell a placeholder from generated content. */
export const PLACEHOLDER_TITLE = 'Not generated yet';

/**
 * @param {{ title: string, what: string, how: string, detail?: string }} page
 */
export function placeholderPage({ title, what, how, detail }) {
  const lines = [`# ${title}`, '', `::: warning ${PLACEHOLDER_TITLE}`, `${what} ${how}`, ':::', ''];
  if (detail) lines.push('Reason reported by the generator:', '', '```text', detail.trim(), '```', '');
  return lines.join('\n');
}
