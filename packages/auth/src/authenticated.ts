/**
 * The one authenticated request path, for `session.fetch`, `session.client`, the middleware
 * and the SDK's own calls: get the token, send, and when the server refuses that token, mark
 * it refused (only it: a newer one stays), get the next and send once more — never a loop, and
 * never after a `logout()` (logging in again would undo it).
 */

import { rebuildResponse } from './buffered-response.js';
import { type Endpoint, endpointOf } from './endpoints.js';
import { notJsonError } from './envelope.js';
import type { TokenKeeper } from './keeper.js';
import type { LogFn } from './logger.js';
import type { RetryPolicy } from './options.js';
import type { RedirectRule } from './redirect.js';
import { isRefusal } from './refusal.js';
import { type FetchInput, fromClientRequest, fromFetchArguments } from './request.js';
import { send } from './send.js';
import type { SessionCore } from './session-core.js';
import { REFUSE_REDIRECTS } from './session-core.js';
import type { Token } from './token.js';

/** What one send came to: its result, and whether the server refused the token it carried. */
export interface Attempted<T> {
  readonly value: T;
  readonly refused: boolean;
}

/** The refused-token rule: after `answer` to a request carrying `token`, send again or not. */
export async function afterRefusal<T>(
  keeper: TokenKeeper,
  era: object,
  signal: AbortSignal | undefined,
  label: string,
  log: LogFn,
  token: Token,
  answer: Attempted<T>,
  resend: (token: Token) => Promise<Attempted<T>>,
): Promise<Attempted<T>> {
  if (!answer.refused || era !== keeper.era) return answer;
  log('debug', `${label} token refused; logging in again and retrying once`);
  keeper.markRefused(token);
  return resend(await keeper.token(signal, era));
}

/** Send with the current token (logging in first when there is none), then {@link afterRefusal}. */
export async function authenticated<T>(
  keeper: TokenKeeper,
  era: object,
  signal: AbortSignal | undefined,
  label: string,
  log: LogFn,
  sendWith: (token: Token) => Promise<Attempted<T>>,
): Promise<Attempted<T>> {
  const token = keeper.usable() ?? (await keeper.token(signal, era));
  return afterRefusal(keeper, era, signal, label, log, token, await sendWith(token), sendWith);
}

/** May `method` to `endpoint` be sent again after a failure that may have reached the server? */
export function isIdempotent(method: string, endpoint: Endpoint | undefined, policy: RetryPolicy): boolean {
  return policy.methods.includes(method) || (method === 'POST' && endpoint?.readOnly === true);
}

/**
 * `session.fetch` (and, `strict`, the typed `session.client`, whose 2xx answers must be JSON).
 * The era is read before any await: a `logout()` right after this call counts as after it.
 */
export async function sessionFetch(
  core: SessionCore,
  input: FetchInput,
  init: RequestInit | undefined,
  strict: boolean,
): Promise<Response> {
  const era = core.keeper.era;
  const request =
    strict && input instanceof Request
      ? await fromClientRequest(input, core.baseUrl)
      : await fromFetchArguments(input, init, core.baseUrl);
  const { url, method, signal } = request;
  const { retry } = core.api;
  if (!core.isUnderBase(url)) {
    // Another host: nothing of ours goes with it, so it goes out exactly as the caller asked.
    const idempotent = retry.methods.includes(method);
    return (await send(core.other, request, { read: 'none', idempotent, redirects: undefined })).response;
  }
  const endpoint = endpointOf(url.pathname);
  const idempotent = isIdempotent(method, endpoint, retry);
  // session.client's typed calls are the SDK's own (no operation answers with a redirect);
  // session.fetch follows one only within the API.
  const redirects: RedirectRule = strict
    ? REFUSE_REDIRECTS
    : { kind: 'within', isAllowed: core.isUnderBase, mode: request.init.redirect };
  if (endpoint.auth === 'key') {
    return (await send(core.api, request, { read: 'none', idempotent, redirects })).response;
  }
  const label = `${method} ${url.pathname}`;
  const { value: received } = await authenticated(
    core.keeper,
    era,
    signal,
    label,
    core.log,
    async (token) => {
      request.headers.set('authorization', `Bearer ${token.value}`);
      // The body is read once, inside the attempt (so a cut body is timed out and retried), as
      // bytes: the refusal and strict checks decode what they need, the caller gets it all.
      const answer = await send(core.api, request, { read: 'bytes', idempotent, redirects });
      const { status, headers } = answer.response;
      return {
        value: answer,
        refused: isRefusal(status, headers.get('content-type'), answer.body, endpoint.refusesInBody),
      };
    },
  );
  const { response, body, redirected } = received;
  let parsed: { value: unknown } | undefined;
  if (strict && response.ok && response.status !== 204 && method !== 'HEAD') {
    const text = new TextDecoder().decode(body);
    try {
      parsed = { value: JSON.parse(text) };
    } catch {
      throw notJsonError(label, text, response.headers.get('content-type') ?? '', response.status);
    }
  }
  return rebuildResponse(response, body, { bodyless: method === 'HEAD', redirected, parsed });
}
