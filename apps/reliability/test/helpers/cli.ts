import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HomeSandbox } from '@testmax/test-support/home-sandbox';
import { runNode } from '@testmax/test-support/run-node';

const require = createRequire(import.meta.url);
/** The `testmax` bin as the package declares it (a shim that loads the build). */
export const CLI_BIN = join(
  dirname(require.resolve('@testmax/cli/package.json')),
  (require('@testmax/cli/package.json') as { bin: { testmax: string } }).bin.testmax,
);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A throw-away HOME with its own config and state dirs, and no TESTMAX_* from the machine
 * (test-support's HOME sandbox; `cachedTokens()` reads the token cache as the CLI writes it).
 */
export class CliSandbox extends HomeSandbox {
  /**
   * Run `testmax args` in the sandbox. `stdin` is piped in (else none); `nodeFlags` go to Node
   * before the bin (e.g. to report memory); `killAfterMs` ends a run that hangs.
   */
  async run(
    args: string[],
    env: Record<string, string>,
    options: { stdin?: string; nodeFlags?: string[]; killAfterMs?: number } = {},
  ): Promise<CliResult> {
    const { code, stdout, stderr } = await runNode(CLI_BIN, args, {
      cwd: this.home,
      env: { ...this.env, NO_COLOR: '1', ...env },
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
      ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
      ...(options.killAfterMs === undefined ? {} : { killAfterMs: options.killAfterMs }),
    });
    return { code, stdout, stderr };
  }
}
