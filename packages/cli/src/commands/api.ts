import { createPublicFetch, parseRetryAfter, withoutTrailingSlashes } from '@testmax/auth/node';
import type { RawField } from '../api/fields.js';
import { layoutJson, parseJson } from '../api/json-text.js';
import { type ApiRequest, buildRequest } from '../api/request.js';
import { pathSuggestion } from '../api/target.js';
import { judge } from '../api/verdict.js';
import { attemptsOf, loggerFor, prepare, settingsFor } from '../cli-session.js';
import type { Context } from '../context.js';
import { readChain } from '../credentials.js';
import { CliError } from '../exit-codes.js';
import { JsonText } from '../output.js';
import { activeSession, ensureSaved, withSession } from '../saved-token.js';

interface ApiCommandOptions {
  method?: string;
  /** -f and -F share one list, in the order typed (see program.ts). */
  field?: RawField[];
  rawField?: RawField[];
  input?: string;
  header?: string[];
  include?: boolean;
}

/**
 * `testmax api <path>`: any endpoint, through the session (bearer, refresh, one re-login after a
 * refused token, the safe-retry rules). The body is built and, for a path the spec knows,
 * checked before anything is sent; the answer is printed as it came.
 */
export async function run(context: Context, options: ApiCommandOptions, args: string[]): Promise<void> {
  const chain = readChain(context);
  const baseUrl = chain.baseUrl.value;
  const request = await buildRequest(
    args[0] ?? '',
    {
      ...(options.method !== undefined ? { method: options.method } : {}),
      fields: options.field ?? options.rawField ?? [],
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.header ? { header: options.header } : {}),
    },
    baseUrl,
    context.input,
  );
  if (request.target.known.length === 0) {
    const near = pathSuggestion(request.target.path);
    if (near)
      context.output.warn(`${request.target.path.slice(1)} is not in the spec${near}; sending it unchecked.`);
    else context.output.debug(`${request.target.path.slice(1)} is not in the spec: sent unchecked`);
  }

  const init: RequestInit = {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  };
  let response: Response;
  const authenticated = request.operation?.public !== true;
  if (authenticated) {
    const prepared = await prepare(context, {}, chain);
    const used = await withSession(
      context,
      prepared,
      await activeSession(context, prepared, { verify: false }),
      (session) => session.fetch(request.pathAndQuery, init),
    );
    response = used.value;
    // The session may have refreshed the token or logged in again: the next command reuses it.
    // Masked in the answer: the token may be one received just now (a new login), which the
    // server may echo back.
    context.output.addSecret((await ensureSaved(prepared, used.session)).token);
  } else {
    const { timeoutMs, retries } = settingsFor(context);
    const fetch = createPublicFetch({ baseUrl, timeoutMs, retry: { retries }, logger: loggerFor(context) });
    response = await fetch(request.pathAndQuery, init);
  }
  await print(context, request, response, baseUrl, options.include === true);
}

async function print(
  context: Context,
  request: ApiRequest,
  response: Response,
  baseUrl: string,
  include: boolean,
): Promise<void> {
  const { output } = context;
  const text = await response.text();
  const label = `${request.method} ${request.target.path.slice(1)}`;
  const pathname = new URL(`${withoutTrailingSlashes(baseUrl)}${request.pathAndQuery}`).pathname;
  const verdict = judge(label, response.status, response.statusText, text, {
    attempts: attemptsOf(context, request.method, pathname),
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
    contentType: response.headers.get('content-type'),
  });
  const json = text.trim() === '' ? undefined : parseJson(text);
  if (output.json) {
    // One document, the same shape as every command's: a JSON answer that succeeded is the
    // document itself; anything else is carried in one, with the answer as its `body` (JSON
    // kept exactly as sent, else the text) and, on failure, the `error` object.
    if (verdict.ok && json)
      output.response(`${layoutJson(text, { indent: output.stdoutIsTerminal ? 2 : 0 })}\n`);
    else {
      const body = json ? new JsonText(layoutJson(text, { indent: 0 })) : text;
      output.document({ status: response.status, body });
    }
    if (!verdict.ok) throw new CliError(verdict.exitCode, verdict.message, verdict.hint);
    return;
  }
  const terminal = output.stdoutIsTerminal;
  let shown = '';
  if (json) {
    shown = `${layoutJson(text, { indent: terminal ? 2 : 0, ...(terminal ? { paint: output.paint } : {}) })}\n`;
  } else {
    shown = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  }
  if (include) {
    const lines = [`HTTP/1.1 ${response.status} ${response.statusText}`.trimEnd()];
    for (const [name, value] of response.headers) lines.push(`${name}: ${value}`);
    shown = `${lines.join('\n')}\n\n${shown}`;
  }
  if (shown !== '') output.response(shown);
  if (!verdict.ok) throw new CliError(verdict.exitCode, verdict.message, verdict.hint);
}
