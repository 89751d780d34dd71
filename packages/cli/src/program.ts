import { Argument, Command, Option } from 'commander';
import { CliError, ExitCode } from './exit-codes.js';

/** The options every command accepts, wherever they appear on the line. */
export interface GlobalOptions {
  baseUrl?: string;
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
  | 'completion';

/** Runs a command; the CLI's entry point supplies it so command modules load only when used. */
export type Dispatch = (
  name: CommandName,
  options: Record<string, unknown>,
  globals: GlobalOptions,
  args: string[],
) => Promise<void>;

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  unexpected or API error
  2  usage error (bad flag or argument)
  3  authentication failed (invalid credentials, disabled account, subscription, rejected token)
  4  no credentials / not logged in
  5  network error, timeout, or server unavailable after retries

Credentials, highest precedence first: flags, environment (TESTMAX_USERNAME, TESTMAX_API_KEY,
TESTMAX_API_URL), .env in the current directory, config file ($XDG_CONFIG_HOME/testmax/config.json).

Examples:
  printf %s "$TESTMAX_API_KEY" | testmax login --username you@example.com --api-key-stdin
  testmax status
  curl -H "Authorization: Bearer $(testmax token)" -H 'Content-Type: application/json' \\
    -d '{}' https://api.test-max.com/api/topstep-sim/Account/search
  testmax accounts --json
  testmax logout`;

export function buildProgram(version: string, dispatch: Dispatch): Command {
  const program = new Command('testmax')
    .description('Log in to the TopStep Simulator API (TestMax), check the session, get tokens for scripts.')
    .version(version, '-V, --version', 'print the version number')
    .option(
      '--base-url <url>',
      'API root URL (default: TESTMAX_API_URL, .env, config file, or the TestMax API)',
    )
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--debug', 'log each request (secrets redacted) and show stack traces on errors')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP)
    // Set before the subcommands are added: they copy these settings when created.
    .exitOverride()
    // commander's own error text is reported by main (one line, JSON-aware, values redacted).
    .configureOutput({ outputError: () => {} });

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
    .action(action('ping'));

  program
    .command('login')
    .description('log in with an API key and cache the session token (never the key)')
    .option('-u, --username <email>', 'the TestMax user name (default: from the credentials chain)')
    .option('--api-key-stdin', 'read the API key from standard input (a pipe)')
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
    .addHelpText(
      'after',
      `
Without --api-key-stdin the key comes from TESTMAX_API_KEY, .env or the config file; failing
that, on a terminal, you are asked for it with the input hidden. A key is never accepted as a
command-line argument (it would be kept in shell history and visible in \`ps\`).

Example:
  printf %s "$KEY" | testmax login --username you@example.com --api-key-stdin`,
    )
    .action(action('login'));

  program
    .command('status')
    .description(
      'show the user, where each credential came from, token expiry, and whether the server accepts it',
    )
    .action(action('status'));

  program
    .command('validate')
    .description('check the session token with the server; exit 0 if accepted, 3 if rejected')
    .action(action('validate'));

  program
    .command('token')
    .description('print a valid session token, logging in or refreshing as needed')
    .addHelpText(
      'after',
      `
Prints the token and a newline, nothing else (use --json for the expiry too). A saved token is
checked with the server first and replaced if refused; with TESTMAX_API_KEY (or .env/config)
set, this logs in by itself when needed.

Example:
  curl -H "Authorization: Bearer $(testmax token)" -H 'Content-Type: application/json' \\
    -d '{}' https://api.test-max.com/api/topstep-sim/Account/search`,
    )
    .action(action('token'));

  program
    .command('logout')
    .description('revoke the session token on the server and delete it locally')
    .action(action('logout'));

  program
    .command('accounts')
    .description('list your trading accounts')
    .option('--active', 'only active accounts (onlyActiveAccounts: true)')
    .action(action('accounts'));

  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      `
Install:
  bash  testmax completion bash > ~/.local/share/bash-completion/completions/testmax
  zsh   testmax completion zsh > "\${fpath[1]}/_testmax"
  fish  testmax completion fish > ~/.config/fish/completions/testmax.fish`,
    )
    .action(action('completion'));

  return program;
}
