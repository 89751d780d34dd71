import { Argument, Command, Option } from 'commander';
import type { RawField } from './api/fields.js';
import { apiHelp } from './api/help.js';
import { CliError, ExitCode } from './exit-codes.js';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS } from './settings.js';
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

const EXIT_CODES_HELP = `
Exit codes:
  0    ok
  1    unexpected or API error
  2    usage error (bad flag or argument, malformed setting or config file)
  3    authentication failed (invalid credentials, disabled account, subscription, rejected token)
  4    no credentials / not logged in
  5    network error, timeout, or server unavailable after retries
  130  cancelled at a prompt (Ctrl-C)

Credentials, highest precedence first: flags, environment, .env in the current directory, the
config file ($TESTMAX_CONFIG, else $XDG_CONFIG_HOME/testmax/config.json).

Environment:
  TESTMAX_USERNAME, TESTMAX_API_KEY  user name and API key
  TESTMAX_API_URL                    API root URL (--base-url wins)
  TESTMAX_ACCOUNT_NAME               preferred account name
  TESTMAX_CONFIG                     path of the config file
  TESTMAX_PROFILE                    profile of the config file (--profile wins)
  TESTMAX_KEYCHAIN=off               never use the OS keychain for the API key
  TESTMAX_KEYCHAIN_TIMEOUT_MS        how long to wait for the OS keychain (default 5000)
  TESTMAX_TIMEOUT_MS                 timeout of each HTTP attempt (default ${DEFAULT_TIMEOUT_MS})
  TESTMAX_RETRIES                    retries after a network error, timeout, 408, 429 or 5xx
                                     (default ${DEFAULT_RETRIES}; 0 fails fast)
  TESTMAX_DEBUG=1                    same as --debug
  XDG_STATE_HOME                     the token cache is $XDG_STATE_HOME/testmax
  NO_COLOR                           never use colour

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
    .addHelpText('after', EXIT_CODES_HELP)
    // Set before the subcommands are added: they copy these settings when created.
    .exitOverride()
    // `testmax status --help` lists --json, --debug and --base-url too.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      // commander's own error text is reported by main (one line, JSON-aware, values redacted).
      outputError: () => {},
      // The only other thing commander writes to stderr is the whole help after a bare
      // `testmax`; main reports that as one usage-error line instead.
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
    .addHelpText('after', () => apiHelp())
    .action(action('api'));

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
        const names = program.commands.map((c) => c.name());
        throw new CliError(
          ExitCode.usage,
          `unknown command ${quoteWord(name)}${suggestion(name, names)}.`,
          'Run `testmax --help` for the list of commands.',
        );
      }
      command.outputHelp();
    });

  return program;
}
