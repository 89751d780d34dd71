import { CliError, ExitCode } from '../exit-codes.js';
import type { Operation } from '../generated/operations.js';
import { checkBody } from './check-body.js';
import { buildFieldsBody, buildFieldsQuery, type RawField } from './fields.js';
import { parseHeaders } from './headers.js';
import { parseJson } from './json-text.js';
import { inputBudget, readInput } from './read-input.js';
import { operationFor, resolveTarget, type Target } from './target.js';

/** `testmax api`'s options, as commander parsed them. */
export interface ApiOptions {
  method?: string;
  field?: string[];
  rawField?: string[];
  /** -f and -F in the order typed (commander keeps them apart). */
  fields?: RawField[];
  input?: string;
  header?: string[];
  include?: boolean;
}

/** A request ready to send; built and checked before anything touches the network. */
export interface ApiRequest {
  target: Target;
  operation: Operation | undefined;
  method: string;
  /** Path and query, relative to the base URL. */
  pathAndQuery: string;
  headers: Headers;
  body: string | undefined;
}

const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BODYLESS = new Set(['GET', 'HEAD']);

/** The default method: the spec's for a path it knows (POST if it has several), else POST, as the API is. */
function methodFor(target: Target, given: string | undefined): string {
  if (given !== undefined) {
    const method = given.trim().toUpperCase();
    if (!METHOD.test(method)) {
      throw new CliError(
        ExitCode.usage,
        '-X needs an HTTP method, such as GET or POST.',
        "Drop -X for the spec's method of a known path (POST otherwise).",
      );
    }
    return method;
  }
  if (target.known.length === 0) return 'POST';
  return (target.known.find((operation) => operation.method === 'POST') ?? target.known[0]!).method;
}

/** JSON's syntax error position, without quoting the text (it may hold a secret). */
function where(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '');
    if (position) {
      const before = text.slice(0, Number(position[1])).split('\n');
      return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
    }
  }
  return '';
}

function isJsonType(contentType: string | null): boolean {
  return contentType === null || /^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim());
}

/**
 * Turn the arguments into a request: the path resolved, the method chosen, the body built from
 * fields or `--input` and, for a path the spec knows, checked against its request schema.
 * Every mistake is a usage error (exit 2) and nothing is sent.
 */
export async function buildRequest(
  argument: string,
  options: ApiOptions,
  baseUrl: string,
  stdin: NodeJS.ReadableStream,
): Promise<ApiRequest> {
  const target = resolveTarget(argument, baseUrl);
  const method = methodFor(target, options.method);
  const operation = operationFor(target, method);
  const headers = parseHeaders(options.header ?? []);
  const fields = options.fields ?? [];

  const stdinUsers = [
    ...(options.input === '-' ? ['--input -'] : []),
    ...fields.filter((f) => f.typed && /^[^=]+=@-$/.test(f.text)).map((f) => `-F ${f.text}`),
  ];
  if (stdinUsers.length > 1) {
    throw new CliError(
      ExitCode.usage,
      `Standard input can be read once, but ${stdinUsers.join(' and ')} both read it.`,
      'Read all but one of them from a file.',
    );
  }
  const budget = inputBudget();
  const readFile = (path: string, name: string) => readInput(path, `-F ${name}=@${path}`, stdin, budget);

  let pathAndQuery = `${target.path}${target.query}`;
  let body: string | undefined;
  let parsed: unknown;
  if (options.input !== undefined && fields.length > 0) {
    throw new CliError(
      ExitCode.usage,
      '--input and -f/-F both give the body; use one of them.',
      'Put every field in the --input document, or drop --input.',
    );
  }
  if (BODYLESS.has(method)) {
    if (options.input !== undefined) {
      throw new CliError(
        ExitCode.usage,
        `A ${method} request has no body, so --input cannot be used with it.`,
        'Give its parameters with -f/-F (they become the query string), or use -X POST.',
      );
    }
    if (fields.length > 0) {
      const query = new URLSearchParams(target.query);
      for (const [name, value] of await buildFieldsQuery(fields, readFile)) query.append(name, value);
      pathAndQuery = `${target.path}?${query.toString()}`;
    }
  } else if (options.input !== undefined) {
    body = await readInput(options.input, `--input ${options.input}`, stdin);
    if (isJsonType(headers.get('content-type'))) {
      const json = parseJson(body);
      if (!json) {
        const source = options.input === '-' ? 'standard input' : options.input;
        throw new CliError(
          ExitCode.usage,
          `The body from ${source} is not JSON${where(body)}; nothing was sent.`,
          'Fix the document, or send another type with -H "Content-Type: …".',
        );
      }
      parsed = json.value;
    }
  } else {
    const object = await buildFieldsBody(fields, readFile);
    parsed = object;
    body = JSON.stringify(object);
  }

  if (operation && parsed !== undefined) await checkBody(parsed, operation);
  if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  return { target, operation, method, pathAndQuery, headers, body };
}
