import { profileNames } from '@testmax/auth/node';
import type { Context } from '../context.js';

/** `testmax __profiles`: the config file's profile names, one a line, for shell completion. */
export async function run(context: Context): Promise<void> {
  const names = profileNames({ env: context.env, cwd: context.cwd });
  if (names.length > 0) context.output.raw(`${names.join('\n')}\n`);
}
