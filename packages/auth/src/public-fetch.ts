import { DEFAULT_BASE_URL } from '@testmax/client';
import { normalizeBaseUrl } from './base-url.js';
import { createLog, type Logger } from './logger.js';
import type { RedirectRule } from './redirect.js';
import { baseMatcher, type FetchInput, prepareRequest, rebuildResponse, toOutgoing } from './request.js';
import { isSafeToRepeat } from './retry.js';
import { createTransport, send, type TransportOptions } from './transport.js';

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
  const isUnderBase = baseMatcher(baseUrl);
  return async (input, init) => {
    const prepared = await prepareRequest(input, init, baseUrl);
    const { url, method, signal } = prepared;
    const underBase = isUnderBase(url);
    const idempotent = underBase
      ? isSafeToRepeat(method, url.pathname, transport.retry)
      : transport.retry.methods.includes(method);
    // As session.fetch: a redirect from the API is followed only within the API.
    const redirects: RedirectRule | undefined = underBase
      ? { kind: 'within', isAllowed: isUnderBase, mode: prepared.init.redirect }
      : undefined;
    // Read inside the attempt, so a slow or cut body is timed out and retried like the rest
    // (and capped like every body the SDK reads).
    const { response, bytes = new ArrayBuffer(0) } = await send(transport, toOutgoing(prepared, undefined), {
      signal,
      read: 'bytes',
      idempotent,
      redirects,
    });
    return rebuildResponse(response, bytes, method === 'HEAD');
  };
}
