import { createInterface } from 'node:readline/promises';
import type { Input } from './context.js';
import { CliError, ExitCode, PromptCancelled } from './exit-codes.js';
import { oneLine } from './printable.js';

/** Read everything piped to stdin (readApiKey trims it: `echo` adds a newline, keys have no spaces). */
export async function readAllStdin(stdin: Input): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Ask for a secret on the terminal without echoing it: raw mode, so the line discipline never
 * prints the characters, and we print nothing for them either (no asterisks: their count would
 * reveal the key's length). The prompt goes to stderr (the Output's, `promptStream`) so stdout
 * stays clean.
 */
export function promptHidden(question: string, stdin: Input, stderr: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = stdin.isRaw === true;
    // Raw mode first: a key typed (or pasted) before it would be echoed by the terminal.
    stdin.setRawMode?.(true);
    stderr.write(question);
    stdin.resume();
    stdin.setEncoding('utf8');

    const finish = (error?: Error) => {
      stdin.setRawMode?.(wasRaw);
      stdin.pause();
      stdin.removeListener('data', onData);
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };

    // Arrow keys, Home/End, F-keys and bracketed-paste markers arrive as escape sequences
    // (ESC [ … final, ESC O x, ESC x): none of them is part of a key, so they are skipped
    // whole instead of leaving "[D" in the key.
    let sequence: 'none' | 'start' | 'csi' | 'ss3' = 'none';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (sequence !== 'none') {
          if (sequence === 'start') sequence = char === '[' ? 'csi' : char === 'O' ? 'ss3' : 'none';
          else if (sequence === 'ss3' || (char >= '@' && char <= '~')) sequence = 'none';
          continue;
        }
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
          case '\u001b':
            sequence = 'start';
            break;
          case '\u009b': // CSI as one C1 character
            sequence = 'csi';
            break;
          default:
            // Printable characters only: no other C0 or C1 control belongs in a key.
            if (char >= ' ' && !(char >= '\u0080' && char <= '\u009f')) value += char;
        }
      }
      // A lone ESC (the Escape key) comes in a chunk of its own: it starts nothing.
      if (sequence === 'start') sequence = 'none';
    };
    stdin.on('data', onData);
  });
}

/** Ask for a non-secret value (the user name) with normal echo. */
export async function promptVisible(
  question: string,
  stdin: Input,
  stderr: NodeJS.WritableStream,
): Promise<string> {
  const rl = createInterface({ input: stdin, output: stderr, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** The key for `login`: from a pipe with `--api-key-stdin`, else typed at a hidden prompt. */
export async function readApiKey(
  stdin: Input,
  options: { fromStdin: boolean; userName: string; stderr: NodeJS.WritableStream },
): Promise<string> {
  let key: string;
  if (stdin.isTTY) {
    key = await promptHidden(
      `API key for ${oneLine(options.userName)} (input hidden): `,
      stdin,
      options.stderr,
    );
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
