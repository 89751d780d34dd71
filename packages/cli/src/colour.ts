import { styleText } from 'node:util';

/** The styles the CLI uses; their codes are the only escape sequences output may carry. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';
const STYLES: readonly Style[] = ['bold', 'dim', 'red', 'green', 'yellow', 'cyan'];

/**
 * Colour only for a terminal, and never when `NO_COLOR` is set to anything non-empty
 * (https://no-color.org) or `TERM=dumb`. `FORCE_COLOR` (non-zero) turns it on for pipes.
 */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export type Paint = (style: Style, text: string) => string;

// Node >= 22.13 would check process.stdout itself (validateStream), which is wrong for stderr;
// the decision is made above, so switch that off. Node 20 ignores the argument.
const style = styleText as (format: Style, text: string, options?: { validateStream?: boolean }) => string;

export function painter(enabled: boolean): Paint {
  return enabled ? (format, text) => style(format, text, { validateStream: false }) : (_format, text) => text;
}

/** The exact sequences `painter(true)` emits (open and close of each style). */
export const PAINT_CODES: ReadonlySet<string> = new Set(
  STYLES.flatMap((name) => style(name, '\u0000', { validateStream: false }).split('\u0000')),
);
