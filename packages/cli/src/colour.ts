import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

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

export function painter(enabled: boolean): Paint {
  // styleText in Node 20 does not check the stream itself, so the decision above is ours.
  return enabled ? (style, text) => styleText(style, text) : (_style, text) => text;
}
