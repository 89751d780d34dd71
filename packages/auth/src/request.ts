import type { Outgoing } from './transport.js';

/** A caller's request, with its body read once so it can be sent again after a 401. */
export interface PreparedRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: ArrayBuffer | undefined;
  signal: AbortSignal | undefined;
  init: NonNullable<Outgoing['init']>;
}

function isAbsolute(input: string): boolean {
  try {
    new URL(input);
    return true;
  } catch {
    return false;
  }
}

/**
 * Normalise `fetch` arguments. A relative string (`'/Account/search'`) is resolved against the
 * session's base URL, which `fetch` itself cannot do outside a browser.
 */
export async function prepareRequest(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  baseUrl: string,
): Promise<PreparedRequest> {
  let target: RequestInfo | URL = input;
  if (typeof input === 'string' && !isAbsolute(input)) {
    target = `${baseUrl}${input.startsWith('/') ? '' : '/'}${input}`;
  }
  // signal: null — the copy must not follow the caller's signal: in undici that adds a listener
  // to it per request, which piles up on a long-lived signal. The signal is applied per attempt.
  const request = new Request(target, { ...init, signal: null });
  const body = request.body ? await request.arrayBuffer() : undefined;
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
  return {
    url: new URL(request.url),
    method: request.method.toUpperCase(),
    headers: new Headers(request.headers),
    body,
    signal,
    init: { redirect: request.redirect, credentials: request.credentials },
  };
}

/** Only requests to the session's own API get the bearer: a token must never leak elsewhere. */
export function isUnderBase(url: URL, baseUrl: string): boolean {
  const base = new URL(baseUrl);
  if (url.origin !== base.origin) return false;
  const prefix = base.pathname.replace(/\/+$/, '');
  return prefix === '' || url.pathname === prefix || url.pathname.startsWith(`${prefix}/`);
}

export function toOutgoing(prepared: PreparedRequest, token: string | undefined): Outgoing {
  const headers = new Headers(prepared.headers);
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  return { url: prepared.url, method: prepared.method, headers, body: prepared.body, init: prepared.init };
}

/**
 * A refused bearer: a bare 401, or (TestMax's other style) HTTP 200 whose JSON body says
 * `success: false` with errorCode 1 or 3.
 */
export function isUnauthorized(status: number, contentType: string | null, text: string): boolean {
  if (status === 401) return true;
  if (status !== 200 || !contentType?.toLowerCase().includes('json')) return false;
  try {
    const body = JSON.parse(text) as { success?: unknown; errorCode?: unknown };
    return body.success === false && (body.errorCode === 1 || body.errorCode === 3);
  } catch {
    return false;
  }
}

/** {@link isUnauthorized} for a response that must stay readable: reads a clone. */
export async function isUnauthorizedResponse(response: Response): Promise<boolean> {
  if (response.status !== 200) return response.status === 401;
  const contentType = response.headers.get('content-type');
  return contentType?.toLowerCase().includes('json') === true
    ? isUnauthorized(200, contentType, await response.clone().text())
    : false;
}

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** A Response carrying `text` (already read) with the original's status, headers and url. */
export function rebuildResponse(original: Response, text: string): Response {
  const headers = new Headers(original.headers);
  // The text is decoded: the original encoding and length no longer describe it.
  headers.delete('content-encoding');
  headers.delete('content-length');
  const response = new Response(NULL_BODY.has(original.status) ? null : text, {
    status: original.status,
    statusText: original.statusText,
    headers,
  });
  Object.defineProperty(response, 'url', { value: original.url });
  return response;
}
