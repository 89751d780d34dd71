import { knownOperationRows } from './api/help.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { DEFAULT_KEYCHAIN_TIMEOUT_MS } from './keychain/os-keychain.js';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS } from './settings.js';

/** One example for `--help` and the docs: the command, and what it shows (optional). */
export interface Example {
  command: string;
  comment?: string;
}

/**
 * What a command's `--help` says after its options, and what the docs' CLI reference shows for
 * it (apps/docs/scripts/generate-cli.mjs reads this through reference.ts): one place, so the two
 * cannot drift.
 */
export interface CommandHelp {
  /** Prose beyond the one-line description, when the command needs it. */
  details?: string;
  /**
   * A list shown after the details (`api`: the operations of the spec), as two columns; built
   * only when shown.
   */
  listing?: Listing;
  examples: Example[];
  /** Every exit code the command can end with, and what it means for this command. */
  exitCodes: [ExitCodeValue, string][];
}

export interface Listing {
  title: string;
  /** The two columns' names, for the docs' table. */
  columns: [string, string];
  rows: () => [string, string][];
}

const UNEXPECTED: [ExitCodeValue, string] = [
  ExitCode.error,
  'an unexpected answer from the server, or a bug',
];
const SETTING: [ExitCodeValue, string] = [
  ExitCode.usage,
  'a usage error: a bad flag, or a malformed setting (URL, number, config file)',
];
const UNAVAILABLE: [ExitCodeValue, string] = [
  ExitCode.unavailable,
  'no answer: network error, timeout, or the server unavailable after retries',
];

export const COMMAND_HELP = {
  ping: {
    examples: [
      { command: 'testmax ping', comment: 'the TestMax API (the default base URL)' },
      { command: 'testmax ping --base-url http://127.0.0.1:4010', comment: 'a local simulator' },
      { command: 'testmax ping --json', comment: '{ "ok": true, "baseUrl", "latencyMs" }' },
    ],
    exitCodes: [[ExitCode.ok, 'the API answered'], UNEXPECTED, SETTING, UNAVAILABLE],
  },
  login: {
    details: `Without --api-key-stdin the key comes from TESTMAX_API_KEY, .env or the config file; failing
that, on a terminal, you are asked for it with the input hidden. A key is never accepted as a
command-line argument (it would be kept in shell history and visible in \`ps\`).

A key typed or piped is kept in the OS keychain (macOS Keychain, Windows Credential Manager,
Secret Service on Linux), one entry per base URL, user and profile, so an expired or refused
token is replaced by itself. Without a keychain (a server, a container) nothing is stored, and
login says so; --insecure-storage keeps it in a 0600 file instead. A key from the environment,
.env or the config file stays where it is.`,
    examples: [
      {
        command: 'printf %s "$KEY" |\n  testmax login --username you@example.com --api-key-stdin',
        comment: 'the key through a pipe',
      },
      { command: 'testmax login --username you@example.com', comment: 'asked for at a hidden prompt' },
      { command: 'testmax login', comment: 'user and key from the environment, .env or the config file' },
      {
        command: 'printf %s "$KEY" |\n  testmax login --api-key-stdin --insecure-storage',
        comment: 'no OS keychain here: the key in a 0600 file',
      },
      {
        command: 'testmax login --profile paper',
        comment: 'user and URL of profiles.paper in the config file',
      },
    ],
    exitCodes: [
      [ExitCode.ok, 'logged in; the token is saved, and the key where it says (or not at all)'],
      UNEXPECTED,
      [ExitCode.usage, 'a usage error: a key as an argument, nothing piped, a bad setting or profile'],
      [ExitCode.authFailed, 'the user name or key was rejected, the account is disabled or needs Pro'],
      [ExitCode.notLoggedIn, 'no user name or no key to log in with, and no terminal to ask on'],
      UNAVAILABLE,
      [ExitCode.cancelled, 'cancelled at a prompt (Ctrl-C)'],
    ],
  },
  status: {
    examples: [
      { command: 'testmax status', comment: 'who, where each setting came from, expiry, server verdict' },
      {
        command: 'testmax status --json | jq -r .session.expiresAt',
        comment: 'one JSON document, whatever the outcome',
      },
      { command: 'testmax status --profile paper', comment: 'the session of profiles.paper' },
    ],
    exitCodes: [
      [ExitCode.ok, 'logged in, and the server accepts the saved token'],
      UNEXPECTED,
      SETTING,
      [ExitCode.authFailed, 'the server refused the saved token, or it has expired'],
      [ExitCode.notLoggedIn, 'not logged in (no saved session)'],
      [ExitCode.unavailable, 'the server could not be asked (the rest is still shown)'],
    ],
  },
  validate: {
    examples: [
      { command: 'testmax validate', comment: 'is the saved token still good? (a renewed one is saved)' },
      { command: 'testmax validate >/dev/null 2>&1 && echo "still logged in"', comment: 'in a script' },
    ],
    exitCodes: [
      [ExitCode.ok, 'the server accepts the token'],
      UNEXPECTED,
      SETTING,
      [ExitCode.authFailed, 'the token was refused or has expired (it is deleted), or the key was rejected'],
      [ExitCode.notLoggedIn, 'nothing saved, and no key to log in with'],
      UNAVAILABLE,
    ],
  },
  token: {
    details: `Prints the token and a newline, nothing else (use --json for the expiry too). A saved token is
checked with the server first and replaced if refused; with TESTMAX_API_KEY (or .env/config)
set, this logs in by itself when needed.`,
    examples: [
      {
        command: `curl -H "Authorization: Bearer $(testmax token)" \\
  -H 'Content-Type: application/json' -d '{}' \\
  https://api.test-max.com/api/topstep-sim/Account/search`,
        comment: 'the token for another tool',
      },
      { command: 'testmax token --json | jq -r .expiresAt', comment: 'with its expiry' },
    ],
    exitCodes: [
      [ExitCode.ok, 'printed a token the server accepts'],
      UNEXPECTED,
      SETTING,
      [ExitCode.authFailed, 'the saved token was refused or expired, and there is no key to log in again'],
      [ExitCode.notLoggedIn, 'not logged in, and no key to log in with'],
      [ExitCode.unavailable, 'the server could not be asked (no token is printed)'],
    ],
  },
  logout: {
    examples: [
      { command: 'testmax logout', comment: 'revoke the saved token, delete it, forget the saved key' },
      {
        command: 'testmax logout --base-url http://127.0.0.1:4010',
        comment: 'the session saved for another server',
      },
    ],
    exitCodes: [
      [ExitCode.ok, 'logged out (revoked, already invalid, or nothing saved); the saved key is forgotten'],
      [ExitCode.error, 'an unexpected answer: the local copy is deleted, the server may still accept it'],
      SETTING,
      [ExitCode.unavailable, 'the server could not be asked: the token is kept, run logout again'],
    ],
  },
  accounts: {
    examples: [
      { command: 'testmax accounts', comment: 'a table: ID, name, balance, whether it can trade' },
      { command: "testmax accounts --active --json | jq -r '.accounts[].name'", comment: 'for a script' },
    ],
    exitCodes: [
      [ExitCode.ok, 'listed (possibly none)'],
      UNEXPECTED,
      SETTING,
      [ExitCode.authFailed, 'the saved token was refused and there is no key, or the key was rejected'],
      [ExitCode.notLoggedIn, 'not logged in, and no key to log in with'],
      UNAVAILABLE,
    ],
  },
  api: {
    details: `The body is JSON: fields with -f name=value (text) and -F name=value (true, false, null and
numbers become JSON values; @file reads a file's text, @- standard input); nested with
name[key]=value and lists with name[]=value, as gh api does. Or the whole body with --input.
Without any, a POST sends {}. For GET, fields become the query string.

For a path the spec knows, the body is checked against its request schema before anything is
sent (exit 2 naming the field). Other paths are sent unchecked, as POST unless -X says otherwise.
Auth/loginKey, Auth/validate and Auth/logout are the login, validate/token and logout commands.

The answer is printed as it came: JSON laid out on a terminal, compact when piped; when it says
success: false, its errorCode and errorMessage go to stderr too. The session is the one of
login/token: it refreshes the token, logs in again once after a refusal (with the key from the
environment, the config file or the OS keychain), and repeats only what is safe to repeat (an
unknown POST is never sent twice).`,
    listing: {
      title: 'Known operations (from the spec)',
      columns: ['operation', 'what it does'],
      rows: knownOperationRows,
    },
    examples: [
      { command: 'testmax api Status/ping', comment: 'an operation that needs no login' },
      {
        command: 'testmax api Account/search -F onlyActiveAccounts=true',
        comment: '-F: true, false, null and numbers as JSON',
      },
      { command: 'testmax api Account/search --input filter.json', comment: 'the whole body from a file' },
      {
        command: `echo '{"onlyActiveAccounts": false}' |\n  testmax api Account/search --input -`,
        comment: 'or from standard input',
      },
      { command: 'testmax api Account/search --include', comment: 'the status line and headers first' },
      {
        command: "testmax api Account/search | jq -r '.accounts[].name'",
        comment: 'compact JSON when piped',
      },
    ],
    exitCodes: [
      [ExitCode.ok, 'the answer says success: true, or has no envelope'],
      [ExitCode.error, 'the answer says success: false, or another HTTP error (404, …), or a bug'],
      [
        ExitCode.usage,
        'a usage error (a bad path, flag, field or header, or a body the spec refuses): nothing sent',
      ],
      [ExitCode.authFailed, 'the token was refused even after logging in again, or the key was rejected'],
      [
        ExitCode.notLoggedIn,
        'not logged in, and no key to log in with (operations needing no login excepted)',
      ],
      [ExitCode.unavailable, 'no answer: network error, timeout, or 408, 429, 5xx after retries'],
    ],
  },
  completion: {
    examples: [
      {
        command: 'testmax completion bash \\\n  > ~/.local/share/bash-completion/completions/testmax',
      },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh's own ${…}, printed as it is.
      { command: 'testmax completion zsh > "${fpath[1]}/_testmax"' },
      { command: 'testmax completion fish > ~/.config/fish/completions/testmax.fish' },
    ],
    exitCodes: [
      [ExitCode.ok, 'printed the script'],
      [ExitCode.usage, 'no shell named, or one it does not know'],
    ],
  },
} as const satisfies Record<string, CommandHelp>;

/** The text `--help` shows after a command's options: details, examples, exit codes. */
export function helpFooter(help: CommandHelp): string {
  return [
    ...(help.details ? ['', help.details] : []),
    ...(help.listing ? ['', `${help.listing.title}:`, ...listingLines(help.listing.rows())] : []),
    '',
    'Examples:',
    ...exampleLines(help.examples),
    '',
    'Exit codes:',
    ...exitCodeLines(help.exitCodes),
  ].join('\n');
}

/** What `testmax --help` says after the commands: the same for the docs' reference. */
export const PROGRAM_HELP = {
  exitCodes: [
    [ExitCode.ok, 'ok'],
    [ExitCode.error, 'unexpected or API error'],
    [ExitCode.usage, 'usage error (bad flag or argument, malformed setting or config file)'],
    [
      ExitCode.authFailed,
      'authentication failed (invalid credentials, disabled account, subscription, rejected token)',
    ],
    [ExitCode.notLoggedIn, 'no credentials / not logged in'],
    [ExitCode.unavailable, 'network error, timeout, or server unavailable after retries'],
    [ExitCode.cancelled, 'cancelled at a prompt (Ctrl-C)'],
  ],
  credentials: `Credentials, highest precedence first: flags, environment, .env in the current directory, the
config file ($TESTMAX_CONFIG, else $XDG_CONFIG_HOME/testmax/config.json).`,
  environment: [
    ['TESTMAX_USERNAME, TESTMAX_API_KEY', 'user name and API key'],
    ['TESTMAX_API_URL', 'API root URL (--base-url wins)'],
    ['TESTMAX_ACCOUNT_NAME', 'preferred account name'],
    ['TESTMAX_CONFIG', 'path of the config file'],
    ['TESTMAX_PROFILE', 'profile of the config file (--profile wins)'],
    ['TESTMAX_KEYCHAIN=off', 'never use the OS keychain for the API key'],
    [
      'TESTMAX_KEYCHAIN_TIMEOUT_MS',
      `how long to wait for the OS keychain (default ${DEFAULT_KEYCHAIN_TIMEOUT_MS})`,
    ],
    ['TESTMAX_TIMEOUT_MS', `timeout of each HTTP attempt (default ${DEFAULT_TIMEOUT_MS})`],
    [
      'TESTMAX_RETRIES',
      `retries after a network error, timeout, 408, 429 or 5xx\n(default ${DEFAULT_RETRIES}; 0 fails fast)`,
    ],
    ['TESTMAX_DEBUG=1', 'same as --debug'],
    ['XDG_STATE_HOME', 'the token cache is $XDG_STATE_HOME/testmax'],
    ['NO_COLOR', 'never use colour'],
  ],
  examples: [
    {
      command: 'printf %s "$TESTMAX_API_KEY" |\n  testmax login --username you@example.com --api-key-stdin',
      comment: 'log in: the key through a pipe, never as an argument',
    },
    { command: 'testmax status' },
    {
      command: `curl -H "Authorization: Bearer $(testmax token)" \\
  -H 'Content-Type: application/json' -d '{}' \\
  https://api.test-max.com/api/topstep-sim/Account/search`,
      comment: 'the session token for another tool',
    },
    { command: 'testmax accounts --json' },
    {
      command: 'testmax api Account/search -F onlyActiveAccounts=true',
      comment: 'any endpoint, through the session',
    },
    { command: 'testmax logout' },
  ],
} as const satisfies {
  exitCodes: [ExitCodeValue, string][];
  credentials: string;
  environment: [string, string][];
  examples: Example[];
};

function listingLines(rows: readonly [string, string][]): string[] {
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return rows.map(([name, meaning]) => `  ${name.padEnd(width)}${meaning}`);
}

function exampleLines(examples: readonly Example[]): string[] {
  return examples.flatMap(({ command, comment }) => [
    ...(comment ? [`  # ${comment}`] : []),
    ...command.split('\n').map((line, index) => `  ${index === 0 ? '$ ' : '  '}${line}`),
  ]);
}

function exitCodeLines(exitCodes: readonly (readonly [ExitCodeValue, string])[]): string[] {
  const width = Math.max(...exitCodes.map(([code]) => String(code).length)) + 2;
  return exitCodes.map(([code, meaning]) => `  ${String(code).padEnd(width)}${meaning}`);
}

/** The text `testmax --help` shows after the commands. */
export function programHelpFooter(): string {
  const { exitCodes, credentials, environment, examples } = PROGRAM_HELP;
  const width = Math.max(...environment.map(([name]) => name.length)) + 2;
  return [
    '',
    'Exit codes:',
    ...exitCodeLines(exitCodes),
    '',
    credentials,
    '',
    'Environment:',
    ...environment.flatMap(([name, meaning]) =>
      meaning.split('\n').map((line, index) => `  ${(index === 0 ? name : '').padEnd(width)}${line}`),
    ),
    '',
    'Examples:',
    ...exampleLines(examples),
    '',
    "Run `testmax <command> --help` for a command's options, examples and exit codes.",
  ].join('\n');
}
