import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CliError, ExitCode } from '../exit-codes.js';

/**
 * A request body is small (the API answers 413 long before this): a bigger file, `/dev/zero`
 * or an endless pipe is a mistake, stopped here instead of filling memory.
 */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;

const PROBLEMS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'cannot be read (permission denied)',
  EPERM: 'cannot be read (permission denied)',
  EISDIR: 'is a directory',
  ENOTDIR: 'is not a file (part of the path is not a directory)',
  ELOOP: 'is a loop of symbolic links',
};

/**
 * What a request may still read: one budget for the whole body, so two 9 MiB `-F @file` fields
 * are refused like one 18 MiB file.
 */
export interface InputBudget {
  remainingBytes: number;
}

export const inputBudget = (): InputBudget => ({ remainingBytes: MAX_INPUT_BYTES });

function tooLarge(what: string, budget: InputBudget): CliError {
  const limit = `${MAX_INPUT_BYTES / (1024 * 1024)} MiB`;
  const shared = budget.remainingBytes < MAX_INPUT_BYTES;
  return new CliError(
    ExitCode.usage,
    shared
      ? `${what} makes the body larger than ${limit} with the fields before it, far more than a request body holds; nothing was sent.`
      : `${what} is larger than ${limit}, far more than a request body holds; nothing was sent.`,
    'Check that it is the request body you meant to send.',
  );
}

/** Read a stream to the end, stopping past what the budget has left. */
async function readCapped(stream: NodeJS.ReadableStream, what: string, budget: InputBudget): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > budget.remainingBytes) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw tooLarge(what, budget);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The text of `path` (`-` is standard input), for `--input` and `-F name=@path`. Named pipes
 * are read (`--input <(jq …)` is a pipe); a directory or a device that never ends is refused.
 * `described` is the argument as typed, for messages: "--input body.json", "-F note=@note.txt".
 */
export async function readInput(
  path: string,
  described: string,
  stdin: NodeJS.ReadableStream,
  budget: InputBudget = inputBudget(),
): Promise<string> {
  const read = async (stream: NodeJS.ReadableStream, what: string) => {
    const text = await readCapped(stream, what, budget);
    budget.remainingBytes -= Buffer.byteLength(text);
    return text;
  };
  if (path === '-') return read(stdin, `${described} (standard input)`);
  if (path === '') {
    throw new CliError(
      ExitCode.usage,
      `${described} needs a file name (or - for standard input).`,
      'Example: --input body.json, or --input - to read a pipe.',
    );
  }
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (info.isFile() && info.size > budget.remainingBytes) throw tooLarge(described, budget);
    return await read(createReadStream(path), described);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new CliError(
      ExitCode.usage,
      `${described} ${PROBLEMS[code] ?? `cannot be read (${code})`}; nothing was sent.`,
      'Check the file name and that you may read it.',
      { cause: error },
    );
  }
}
