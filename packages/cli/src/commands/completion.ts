import { completionScript, type Shell } from '../completion.js';
import type { Context } from '../context.js';

export async function run(
  context: Context,
  _options: Record<string, unknown>,
  args: string[],
): Promise<void> {
  const shell = args[0] as Shell;
  const script = completionScript(context.program, shell);
  if (context.output.json) context.output.document({ shell, script });
  else context.output.raw(script);
}
