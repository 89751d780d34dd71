import { createInterface } from 'node:readline/promises';
import { CliError, ExitCode, PromptCancelled } from './exit-codes.js';

type Input = NodeJS.ReadStream;

/** Read everything piped to stdin; a key piped in with `echo` ends in a newline we drop. */
export async function readAllStdin(stdin: Input = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/[\r\n]+$/, '');
}

/**
 * Ask for a secret on the terminal without echoing it: raw mode, so the line discipline never
 * prints the characters, and we print nothing for them either (no asterisks: their count would
 * reveal the key's length). The prompt goes to stderr so stdout stays clean.
 */
export function promptHidden(
  question: string,
  stdin: Input = process.stdin,
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = stdin.isRaw;
    // Raw mode first: a key typed (or pasted) before it would be echoed by the terminal.
    stdin.setRawMode(true);
    stderr.write(question);
    stdin.resume();
    stdin.setEncoding('utf8');

    const finish = (error?: Error) => {
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stdin.removeListener('data', onData);
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };

    const onData = (chunk: string) => {
      for (const char of chunk) {
        switch (char) {
          case '\r':
          case '\n':
          case '\u0004': // Ctrl-D
            finish();
            return;
          case '\u0003': // Ctrl-C
            finish(new PromptCancelled('cancelled'));
            return;
          case '\u007f': // Backspace / Delete
          case '\b':
            value = value.slice(0, -1);
            break;
          case '\u0015': // Ctrl-U: clear the line
            value = '';
            break;
          default:
            if (char >= ' ') value += char;
        }
      }
    };
    stdin.on('data', onData);
  });
}

/** Ask for a non-secret value (the user name) with normal echo. */
export async function promptVisible(
  question: string,
  stdin: Input = process.stdin,
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<string> {
  const rl = createInterface({ input: stdin, output: stderr, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** The key for `login`: from a pipe with `--api-key-stdin`, else typed at a hidden prompt. */
export async function readApiKey(options: { fromStdin: boolean; userName: string }): Promise<string> {
  const stdin = process.stdin;
  let key: string;
  if (stdin.isTTY) {
    key = await promptHidden(`API key for ${options.userName} (input hidden): `);
  } else if (options.fromStdin) {
    key = await readAllStdin(stdin);
  } else {
    throw new CliError(
      ExitCode.notLoggedIn,
      'No API key found and no terminal to ask on.',
      'Pipe it in: printf %s "$KEY" | testmax login --api-key-stdin (or set TESTMAX_API_KEY).',
    );
  }
  key = key.trim();
  if (!key) {
    throw new CliError(
      ExitCode.usage,
      options.fromStdin && !stdin.isTTY ? 'Nothing was read from stdin.' : 'No API key was entered.',
      'Pipe the key in: printf %s "$KEY" | testmax login --api-key-stdin',
    );
  }
  return key;
}
