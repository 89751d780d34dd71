import { Argument, Command, type CommanderError, Option } from 'commander';
import type { RawField } from './api/fields.js';
import { COMMAND_HELP, helpFooter, programHelpFooter } from './command-help.js';
import { CliError, ExitCode } from './exit-codes.js';
import { quoteWord, suggestion } from './usage.js';

/** Options that may be given more than once (-f, -F, -H): completion offers them again. */
export const repeatableOptions = new WeakSet<Option>();

function repeatable(option: Option): Option {
  repeatableOptions.add(option);
  return option;
}

/** The options every command accepts, wherever they appear on the line. */
export interface GlobalOptions {
  baseUrl?: string;
  profile?: string;
  json: boolean;
  debug: boolean;
}

export type CommandName =
  | 'ping'
  | 'login'
  | 'status'
  | 'validate'
  | 'token'
  | 'logout'
  | 'accounts'
  | 'api'
  | 'completion'
  | '__profiles';

/** Runs a command; the CLI's entry point supplies it so command modules load only when used. */
export type Dispatch = (
  name: CommandName,
  options: Record<string, unknown>,
  globals: GlobalOptions,
  args: string[],
) => Promise<void>;

/** A usage error raised by a command's own parser (a bad flag of `testmax login`, …). */
export type CommandUsageError = CommanderError & { commandName?: string };

export function buildProgram(version: string, dispatch: Dispatch): Command {
  const program = new Command('testmax')
    .description('Log in to the TopStep Simulator API (TestMax), check the session, get tokens for scripts.')
    .version(version, '-V, --version', 'print the version number')
    .option(
      '--base-url <url>',
      'API root URL (default: TESTMAX_API_URL, .env, config file, or the TestMax API)',
    )
    .option(
      '--profile <name>',
      'use profiles.NAME of the config file, with its own token and saved key (default: TESTMAX_PROFILE)',
    )
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--debug', 'log each request (secrets redacted) and show stack traces on errors')
    .helpOption('-h, --help', 'show help')
    // A `help` command of our own (below): commander's answers `help frob` with the whole help
    // on stderr instead of saying that there is no command frob.
    .helpCommand(false)
    .showSuggestionAfterError(true)
    .addHelpText('after', programHelpFooter())
    // Set before the subcommands are added: they copy these settings when created.
    .exitOverride()
    // `testmax status --help` lists --json, --debug and --base-url too.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      // commander's own error text is reported by main (one line, JSON-aware, values redacted).
      outputError: () => {},
      // The only other thing commander writes to stderr is the whole help after a bare
      // `testmax`; main prints it on stdout instead (exit 0, as gh does).
      writeErr: () => {},
    });

  const action =
    (name: CommandName) =>
    async (...params: unknown[]): Promise<void> => {
      // commander passes (…arguments, options, command)
      const command = params.at(-1) as Command;
      const options = params.at(-2) as Record<string, unknown>;
      const args = params.slice(0, -2) as string[];
      const globals = command.optsWithGlobals<Partial<GlobalOptions>>();
      await dispatch(
        name,
        options,
        { ...globals, json: globals.json === true, debug: globals.debug === true },
        args,
      );
    };

  program
    .command('ping')
    .description('check that the API answers (needs no credentials)')
    .addHelpText('after', helpFooter(COMMAND_HELP.ping))
    .action(action('ping'));

  program
    .command('login')
    .description('log in with an API key; the token is cached, the key kept in the OS keychain')
    .option('-u, --username <email>', 'the TestMax user name (default: from the credentials chain)')
    .option('--api-key-stdin', 'read the API key from standard input (a pipe)')
    .option(
      '--insecure-storage',
      'save the API key in a 0600 file instead of the OS keychain (for machines without one)',
    )
    // Declared only to refuse it with a helpful message instead of "unknown option".
    .addOption(new Option('--api-key <key>').hideHelp())
    .hook('preAction', (command) => {
      if (command.opts().apiKey !== undefined) {
        throw new CliError(
          ExitCode.usage,
          'An API key is never accepted on the command line: it would be kept in shell history and shown by `ps`.',
          'Pipe it instead: printf %s "$KEY" | testmax login --api-key-stdin (or set TESTMAX_API_KEY).',
        );
      }
    })
    .addHelpText('after', helpFooter(COMMAND_HELP.login))
    .action(action('login'));

  program
    .command('status')
    .description(
      'show the user, where each credential came from, token expiry, and whether the server accepts it',
    )
    .addHelpText('after', helpFooter(COMMAND_HELP.status))
    .action(action('status'));

  program
    .command('validate')
    .description('check the session token with the server; exit 0 if accepted, 3 if rejected')
    .addHelpText('after', helpFooter(COMMAND_HELP.validate))
    .action(action('validate'));

  program
    .command('token')
    .description('print a valid session token, logging in or refreshing as needed')
    .addHelpText('after', helpFooter(COMMAND_HELP.token))
    .action(action('token'));

  program
    .command('logout')
    .description('revoke the session token on the server and delete it locally')
    .addHelpText('after', helpFooter(COMMAND_HELP.logout))
    .action(action('logout'));

  program
    .command('accounts')
    .description('list your trading accounts')
    .option('--active', 'only active accounts (onlyActiveAccounts: true)')
    .addHelpText('after', helpFooter(COMMAND_HELP.accounts))
    .action(action('accounts'));

  // -f and -F fill one list, so the body keeps the order they were typed in (`a[]` items).
  const fields: RawField[] = [];
  const collect = (typed: boolean) => (text: string) => {
    fields.push({ typed, text });
    return fields;
  };
  const repeat = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command('api')
    .description('call any TestMax endpoint with the session and print the answer')
    .argument('<path>', 'the endpoint, e.g. Account/search (known paths are checked against the spec)')
    .addOption(
      new Option('-X, --method <method>', "HTTP method (default: the spec's for a known path, else POST)"),
    )
    .addOption(
      repeatable(
        new Option('-f, --raw-field <name=value>', 'a body field sent as text (repeatable)').argParser(
          collect(false),
        ),
      ),
    )
    .addOption(
      repeatable(
        new Option(
          '-F, --field <name=value>',
          'a body field typed as JSON: true, false, null, numbers; @file reads a file, @- stdin (repeatable)',
        ).argParser(collect(true)),
      ),
    )
    .option('--input <file>', 'the request body from a file of JSON (- for standard input)')
    .addOption(
      repeatable(
        new Option(
          '-H, --header <name:value>',
          'an extra request header (repeatable; never Authorization)',
        ).argParser(repeat),
      ),
    )
    .option('-i, --include', 'print the status line and the response headers before the body')
    .addHelpText('after', () => helpFooter(COMMAND_HELP.api))
    .action(action('api'));

  program
    .command('completion')
    .description('print a shell completion script')
    // commander lists the choices after the description itself.
    .addArgument(new Argument('<shell>', 'the shell to complete for').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', helpFooter(COMMAND_HELP.completion))
    .action(action('completion'));

  // For the completion scripts: the config file's profile names, one a line. Not for people.
  program.command('__profiles', { hidden: true }).action(action('__profiles'));

  program
    .command('help')
    .description('show help for a command')
    .argument('[command]')
    .action((name: string | undefined) => {
      if (name === undefined) return void program.outputHelp();
      const command = program.commands.find((c) => c.name() === name);
      if (!command) {
        const names = program
          .createHelp()
          .visibleCommands(program)
          .map((c) => c.name());
        throw new CliError(
          ExitCode.usage,
          `unknown command ${quoteWord(name)}${suggestion(name, names)}.`,
          'Run `testmax --help` for the list of commands.',
        );
      }
      command.outputHelp();
    });

  // A usage error inside a command names the command, so the error can point at its own help
  // (`testmax login --help`) rather than the program's.
  for (const command of program.commands) {
    const name = command.name();
    command.exitOverride((error: CommandUsageError) => {
      error.commandName = name;
      throw error;
    });
  }

  return program;
}
