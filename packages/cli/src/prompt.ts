import { createInterface } from 'node:readline/promises';
import type { Input } from './context.js';
import { CliError, ExitCode, PromptCancelled } from './exit-codes.js';
import { oneLine } from './printable.js';

/** Far more than any API key; what is longer was piped by mistake (a file, a device). */
export const MAX_API_KEY_BYTES = 4096;

/**
 * The first `maxBytes + 1` bytes piped to stdin, as UTF-8 (not decoded: `undefined` when it is
 * not UTF-8), and whether there was more: a stream that never ends is not read to its end.
 */
async function readStdinUpTo(
  stdin: Input,
  maxBytes: number,
): Promise<{ text: string | undefined; tooLong: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(bytes);
    size += bytes.length;
    if (size > maxBytes) return { text: undefined, tooLong: true };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)), tooLong: false };
  } catch {
    return { text: undefined, tooLong: false };
  }
}

/** What is wrong with a key as read (trimmed), in words that never quote it; undefined when nothing is. */
export function apiKeyProblem(key: string): string | undefined {
  if (Buffer.byteLength(key) > MAX_API_KEY_BYTES) return `is longer than ${MAX_API_KEY_BYTES} bytes`;
  // Tab and line breaks are whitespace, said below.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(key)) return 'holds control characters';
  if (/\s/.test(key)) return 'holds spaces or line breaks (an API key is one word)';
  return undefined;
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
    const read = await readStdinUpTo(stdin, MAX_API_KEY_BYTES + 64);
    if (read.text === undefined) {
      throw badKey(read.tooLong ? `is longer than ${MAX_API_KEY_BYTES} bytes` : 'is not UTF-8 text', true);
    }
    key = read.text;
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
  const problem = apiKeyProblem(key);
  if (problem) throw badKey(problem, options.fromStdin && !stdin.isTTY);
  return key;
}

/** Exit 2 for a key that cannot be one; the key itself is never repeated. */
function badKey(problem: string, fromStdin: boolean): CliError {
  return new CliError(
    ExitCode.usage,
    `The API key ${fromStdin ? 'read from standard input' : 'entered'} ${problem}; nothing was sent.`,
    fromStdin
      ? 'Pipe only the key: printf %s "$KEY" | testmax login --api-key-stdin'
      : 'Paste only the key, as shown where it was created.',
  );
}
