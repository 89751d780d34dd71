import { DEFAULT_BASE_URL } from '@testmax/client';
import { isIdempotent } from './authenticated.js';
import { baseUrlMatcher, normalizeBaseUrl } from './base-url.js';
import { rebuildResponse } from './buffered-response.js';
import { endpointOf } from './endpoints.js';
import { createLog, type Logger } from './logger.js';
import type { RedirectRule } from './redirect.js';
import { type FetchInput, fromFetchArguments } from './request.js';
import { createTransport, send, type TransportOptions } from './send.js';

export interface PublicFetchOptions extends TransportOptions {
  /** API root that relative paths resolve against. Defaults to `DEFAULT_BASE_URL`. */
  baseUrl?: string;
  logger?: Logger | false;
}

/**
 * A `fetch` for the endpoints that need no token (`Status/ping`, or any call made before a
 * login): the same timeouts, retries, safe-retry rules and errors as `session.fetch`, and
 * relative paths resolved against `baseUrl`, but it never sends a credential and needs none.
 */
export function createPublicFetch(
  options: PublicFetchOptions = {},
): (input: FetchInput, init?: RequestInit) => Promise<Response> {
  const baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const log = createLog(options.logger, () => []);
  const transport = createTransport(options, log, () => []);
  const isUnderBase = baseUrlMatcher(baseUrl);
  return async (input, init) => {
    const request = await fromFetchArguments(input, init, baseUrl);
    const { url, method } = request;
    const underBase = isUnderBase(url);
    const idempotent = underBase
      ? isIdempotent(method, endpointOf(url.pathname), transport.retry)
      : transport.retry.methods.includes(method);
    // As session.fetch: a redirect from the API is followed only within the API.
    const redirects: RedirectRule | undefined = underBase
      ? { kind: 'within', isAllowed: isUnderBase, mode: request.init.redirect }
      : undefined;
    // Read inside the attempt, so a slow or cut body is timed out and retried like the rest
    // (and capped like every body the SDK reads).
    const { response, body, redirected } = await send(transport, request, {
      read: 'bytes',
      idempotent,
      redirects,
    });
    return rebuildResponse(response, body, { bodyless: method === 'HEAD', redirected });
  };
}
