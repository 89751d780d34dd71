/**
 * Terminal safety for text the CLI did not write itself: server messages, account names, user
 * names, paths from the environment. A C0 or C1 control character there could move the cursor,
 * clear the screen, retitle the window or write the clipboard (OSC 52), so every one of them is
 * removed, with its escape-sequence parameters when it starts a CSI sequence. Only `keep`
 * survives: the exact colour codes the CLI's own painter emits (so the most foreign text can
 * do is change a colour, and only on a terminal where colour is on).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

const NONE: ReadonlySet<string> = new Set();

/** Remove control characters; newlines are kept (tables and stack traces span lines). */
export function printable(text: string, keep: ReadonlySet<string> = NONE): string {
  return text.replace(CONTROL, (match) => (keep.has(match) ? match : ''));
}

/** One line for messages, warnings and errors: line breaks become spaces, then as above. */
export function oneLine(text: string): string {
  return printable(text.replace(/\s*[\r\n]+\s*/g, ' '));
}
