import { type Command, CommanderError } from 'commander';
import type { Context, Input } from './context.js';
import { defaultHint, describeError, type ErrorReport } from './describe-error.js';
import { ExitCode, type ExitCodeValue, PromptCancelled } from './exit-codes.js';
import { Output, type OutputStreams } from './output.js';
import { buildProgram, type CommandName, type CommandUsageError } from './program.js';
import { usageMessage } from './usage.js';
import { packageVersion } from './version.js';

type CommandModule = {
  run(context: Context, options: Record<string, unknown>, args: string[]): Promise<void>;
};

// Each command (and with it @testmax/auth and the HTTP stack) loads only when it runs, so
// `--help`, `--version` and `completion` cost little more than commander itself.
const commands: Record<CommandName, () => Promise<CommandModule>> = {
  ping: () => import('./commands/ping.js'),
  login: () => import('./commands/login.js'),
  status: () => import('./commands/status.js'),
  validate: () => import('./commands/validate.js'),
  token: () => import('./commands/token.js'),
  logout: () => import('./commands/logout.js'),
  accounts: () => import('./commands/accounts.js'),
  api: () => import('./commands/api.js'),
  completion: () => import('./commands/completion.js'),
  __profiles: () => import('./commands/profile-names.js'),
};

export interface MainOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** What prompts and `--api-key-stdin` read; default stdin. */
  input?: Input;
  /** Where output and prompts go; default stdout and stderr. */
  streams?: OutputStreams;
}

/** Run the CLI; resolves to the exit code, never rejects. */
export async function main(argv: string[], options: MainOptions = {}): Promise<ExitCodeValue> {
  const env = options.env ?? process.env;
  // The SDK's rule for TESTMAX_DEBUG (1, true, yes), loaded only when the variable is set.
  const envDebug = env.TESTMAX_DEBUG
    ? (await import('@testmax/auth/node')).isDebugEnabled(env.TESTMAX_DEBUG)
    : false;
  // Until commander has parsed the line, guess the mode from the raw words, so even a usage
  // error is reported as JSON when --json was asked for.
  const raw = argv.slice(2);
  let output = new Output(
    { json: raw.includes('--json'), debug: raw.includes('--debug') || envDebug, env },
    options.streams,
  );
  let context: Context | undefined;

  const program = buildProgram(packageVersion(), async (name, commandOptions, globals, args) => {
    output = new Output({ json: globals.json, debug: globals.debug || envDebug, env }, options.streams);
    context = {
      globals,
      output,
      input: options.input ?? process.stdin,
      env,
      cwd: options.cwd ?? process.cwd(),
      program,
      startedAt: Date.now(),
    };
    const module = await commands[name]();
    await module.run(context, commandOptions, args);
  });

  try {
    await program.parseAsync(argv);
    output.finish();
    return ExitCode.ok;
  } catch (error) {
    return report(error, output, program, context);
  }
}

async function report(
  error: unknown,
  output: Output,
  program: Command,
  context: Context | undefined,
): Promise<ExitCodeValue> {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
    if (error.code === 'commander.help') {
      if (error.exitCode === 0) return ExitCode.ok;
      // A bare `testmax`: the help, on stdout, exit 0, as gh does. A script asking for --json
      // gets no help text it could not parse: one usage-error document instead.
      if (!output.json) {
        program.outputHelp();
        return ExitCode.ok;
      }
      output.error(ExitCode.usage, 'No command given.', 'Run `testmax --help` for the list of commands.');
      return ExitCode.usage;
    }
    const command = (error as CommandUsageError).commandName;
    output.error(
      ExitCode.usage,
      usageMessage(error.message),
      command
        ? `Run \`testmax ${command} --help\` for its usage.`
        : 'Run `testmax --help` for the list of commands.',
    );
    return ExitCode.usage;
  }
  if (error instanceof PromptCancelled) {
    // The human saw the ^C; a script reading --json still gets its one document.
    if (output.json)
      output.error(ExitCode.cancelled, 'Cancelled at the prompt.', defaultHint(ExitCode.cancelled));
    else output.info('Cancelled.');
    return ExitCode.cancelled;
  }
  let described: ErrorReport;
  try {
    described = await describeError(error, context);
  } catch {
    described = {
      exitCode: ExitCode.error,
      message: 'Unexpected error.',
      hint: 'Run again with --debug for details.',
    };
  }
  const { exitCode, message, hint } = described;
  output.error(exitCode, message, hint, error instanceof Error ? error.stack : undefined);
  return exitCode;
}
