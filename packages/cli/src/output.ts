import { colourEnabled, type Paint, painter } from './colour.js';
import { type ExitCodeValue, exitCodeName } from './exit-codes.js';

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Everything the CLI prints goes through here, so the rules hold in one place: in `--json` mode
 * stdout carries exactly one JSON document; human text, warnings and errors go to stderr;
 * colour only where the stream is a terminal and `NO_COLOR` is unset.
 */
export class Output {
  readonly json: boolean;
  readonly debugEnabled: boolean;
  /** Colours for stdout. */
  readonly paint: Paint;
  /** Colours for stderr. */
  readonly paintErr: Paint;
  private documentWritten = false;
  private readonly secrets = new Set<string>();

  constructor(
    options: { json: boolean; debug: boolean; env: NodeJS.ProcessEnv },
    private readonly streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
  ) {
    this.json = options.json;
    this.debugEnabled = options.debug;
    this.paint = painter(!options.json && colourEnabled(streams.stdout, options.env));
    this.paintErr = painter(colourEnabled(streams.stderr, options.env));
  }

  /**
   * Register a key or token: it is masked in every message, warning and debug line, as a last
   * line of defence should any error text ever quote one.
   */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  private scrub(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.replaceAll(secret, '***');
    return result;
  }

  /** Human output: a line on stdout. Ignored in `--json` mode (the document says it all). */
  line(text = ''): void {
    if (!this.json) this.streams.stdout.write(`${this.scrub(text)}\n`);
  }

  /** The command's result: the JSON document in `--json` mode. */
  document(doc: Record<string, unknown>): void {
    if (!this.json || this.documentWritten) return;
    this.documentWritten = true;
    this.streams.stdout.write(`${JSON.stringify({ ok: true, ...doc }, null, 2)}\n`);
  }

  /** Raw stdout, for `testmax token` and `completion`, whose output is meant for other programs. */
  raw(text: string): void {
    this.streams.stdout.write(text);
  }

  /** Progress notes for humans ("Logged in as …") that must not pollute stdout pipes. */
  info(text: string): void {
    if (!this.json) this.streams.stderr.write(`${this.scrub(text)}\n`);
  }

  warn(text: string): void {
    this.streams.stderr.write(`${this.paintErr('yellow', 'warning:')} ${this.scrub(text)}\n`);
  }

  debug(text: string): void {
    if (this.debugEnabled)
      this.streams.stderr.write(`${this.paintErr('dim', `debug: ${this.scrub(text)}`)}\n`);
  }

  /**
   * Report a failure: one line on stderr always; in `--json` mode also an error document on
   * stdout, so `testmax … --json | jq` always has exactly one document to read.
   */
  error(exitCode: ExitCodeValue, message: string, hint?: string, stack?: string): void {
    message = this.scrub(message);
    hint = hint && this.scrub(hint);
    const line = hint ? `${message} ${hint}` : message;
    this.streams.stderr.write(`${this.paintErr('red', 'error:')} ${line}\n`);
    if (stack && this.debugEnabled) this.streams.stderr.write(`${this.scrub(stack)}\n`);
    if (this.json && !this.documentWritten) {
      this.documentWritten = true;
      const error = { code: exitCodeName[exitCode], exitCode, message, ...(hint ? { hint } : {}) };
      this.streams.stdout.write(`${JSON.stringify({ ok: false, error }, null, 2)}\n`);
    }
  }
}
