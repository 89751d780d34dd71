import { colourEnabled, PAINT_CODES, type Paint, painter } from './colour.js';
import { type ExitCodeValue, exitCodeName } from './exit-codes.js';
import { oneLine, printable } from './printable.js';

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const NO_CODES: ReadonlySet<string> = new Set();

/** `message` ends a sentence before `hint` starts one. */
function sentence(message: string): string {
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

/**
 * Everything the CLI prints goes through here, so the rules hold in one place: in `--json` mode
 * stdout carries exactly one JSON document; human text, warnings and errors go to stderr;
 * colour only where the stream is a terminal and `NO_COLOR` is unset; no secret the CLI knows
 * of, and no control character from text it did not write itself (see printable.ts).
 */
export class Output {
  readonly json: boolean;
  readonly debugEnabled: boolean;
  /** Colours for stdout. */
  readonly paint: Paint;
  /** Colours for stderr. */
  readonly paintErr: Paint;
  /** The escape sequences stdout may carry: the painter's own, when colour is on. */
  private readonly stdoutCodes: ReadonlySet<string>;
  private documentWritten = false;
  /** The result document, written at the end: a failure after it still turns it into `ok: false`. */
  private pending: { doc: Record<string, unknown>; secretsAllowed: boolean } | undefined;
  private readonly secrets = new Set<string>();

  constructor(
    options: { json: boolean; debug: boolean; env: NodeJS.ProcessEnv },
    private readonly streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
  ) {
    this.json = options.json;
    this.debugEnabled = options.debug;
    const colourOut = !options.json && colourEnabled(streams.stdout, options.env);
    this.paint = painter(colourOut);
    this.paintErr = painter(colourEnabled(streams.stderr, options.env));
    this.stdoutCodes = colourOut ? PAINT_CODES : NO_CODES;
  }

  /** Where prompts write their question: stderr, so stdout stays the command's result. */
  get promptStream(): NodeJS.WritableStream {
    return this.streams.stderr;
  }

  /**
   * Register a key or token: it is masked in every message, warning, debug line and JSON
   * document, as a last line of defence should any text ever quote one.
   */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  private scrub(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      result = result.replaceAll(secret, '***');
      // As it appears inside a JSON string, should it hold a quote or a backslash.
      const encoded = JSON.stringify(secret).slice(1, -1);
      if (encoded !== secret) result = result.replaceAll(encoded, '***');
    }
    return result;
  }

  /** True when stdout is a terminal (a person reads it) rather than a pipe or a file. */
  get stdoutIsTerminal(): boolean {
    return this.streams.stdout.isTTY === true;
  }

  /**
   * An answer `testmax api` prints as it came (after the secret scrub; on a terminal, without
   * control characters). It is the command's one document, in `--json` mode too: a failure
   * reported after it adds no second one.
   */
  response(text: string): void {
    this.documentWritten = true;
    this.pending = undefined;
    const safe = this.scrub(text);
    this.streams.stdout.write(this.stdoutIsTerminal ? printable(safe, this.stdoutCodes) : safe);
  }

  /** Human output: a line on stdout. Ignored in `--json` mode (the document says it all). */
  line(text = ''): void {
    if (!this.json) this.streams.stdout.write(`${printable(this.scrub(text), this.stdoutCodes)}\n`);
  }

  /**
   * The command's result: the JSON document in `--json` mode, written by `finish()` when the
   * command succeeds, or merged into the error document when it then fails. Only `token --json`
   * passes `secretsAllowed`: printing the token is its job.
   */
  document(doc: Record<string, unknown>, options: { secretsAllowed?: boolean } = {}): void {
    if (!this.json || this.documentWritten) return;
    this.pending = { doc, secretsAllowed: options.secretsAllowed === true };
  }

  /** The command succeeded: write its document, if it has one. */
  finish(): void {
    if (!this.pending) return;
    const { ok: _ok, ...doc } = this.pending.doc;
    this.writeDocument({ ok: true, ...doc }, this.pending.secretsAllowed);
  }

  private writeDocument(body: Record<string, unknown>, secretsAllowed = false): void {
    if (this.documentWritten) return;
    this.documentWritten = true;
    this.pending = undefined;
    // JSON.stringify escapes C0 characters but not DEL and C1, which some terminals obey.
    const text = JSON.stringify(body, null, 2).replace(
      /[\u007f-\u009f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    this.streams.stdout.write(`${secretsAllowed ? text : this.scrub(text)}\n`);
  }

  /** Raw stdout, for `testmax token` and `completion`, whose output is meant for other programs. */
  raw(text: string): void {
    this.streams.stdout.write(text);
  }

  /** Progress notes for humans ("Logged in as …") that must not pollute stdout pipes. */
  info(text: string): void {
    if (!this.json) this.streams.stderr.write(`${oneLine(this.scrub(text))}\n`);
  }

  warn(text: string): void {
    this.streams.stderr.write(`${this.paintErr('yellow', 'warning:')} ${oneLine(this.scrub(text))}\n`);
  }

  debug(text: string): void {
    if (this.debugEnabled)
      this.streams.stderr.write(`${this.paintErr('dim', `debug: ${oneLine(this.scrub(text))}`)}\n`);
  }

  /**
   * Report a failure: one line on stderr always; in `--json` mode also an error document on
   * stdout (with whatever the command had gathered before failing), so `testmax … --json | jq`
   * always has exactly one document to read. Its `error` object always has the same shape:
   * `{ code, exitCode, message, hint }`, what happened and what to do next, apart.
   */
  error(exitCode: ExitCodeValue, message: string, hint: string, stack?: string): void {
    message = oneLine(this.scrub(message));
    hint = oneLine(this.scrub(hint));
    const line = hint ? `${sentence(message)} ${hint}` : message;
    this.streams.stderr.write(`${this.paintErr('red', 'error:')} ${line}\n`);
    if (stack && this.debugEnabled) this.streams.stderr.write(`${printable(this.scrub(stack))}\n`);
    if (this.json && !this.documentWritten) {
      const { ok: _ok, error: _error, ...gathered } = this.pending?.doc ?? {};
      const error = { code: exitCodeName[exitCode], exitCode, message, hint };
      this.writeDocument({ ok: false, ...gathered, error });
    }
  }
}
