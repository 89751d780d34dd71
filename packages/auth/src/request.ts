import type { Outgoing } from './transport.js';

/** A caller's request, with a body that can be sent again after a 401. */
export interface PreparedRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: ArrayBuffer | ArrayBufferView<ArrayBuffer> | string | undefined;
  signal: AbortSignal | undefined;
  init: NonNullable<Outgoing['init']>;
}

function resolve(input: string, baseUrl: string): string {
  // A leading '/' is always relative; otherwise only a parse tells (and it is rare).
  if (!input.startsWith('/')) {
    try {
      new URL(input);
      return input;
    } catch {}
  }
  return `${baseUrl}${input.startsWith('/') ? '' : '/'}${input}`;
}

/** Bodies that are re-sendable as they are: no need to buffer a copy. */
function isReusable(body: unknown): body is string | ArrayBuffer | ArrayBufferView<ArrayBuffer> | undefined {
  return (
    body === undefined ||
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    (ArrayBuffer.isView(body) && body.buffer instanceof ArrayBuffer)
  );
}

/**
 * Normalise `fetch` arguments. A relative string (`'/Account/search'`) is resolved against the
 * session's base URL, which `fetch` itself cannot do outside a browser. A string or bytes body
 * is kept as it is; a stream, Blob, FormData or a `Request`'s body is read once, so it can be
 * re-sent after a 401.
 */
export async function prepareRequest(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  baseUrl: string,
): Promise<PreparedRequest> {
  const body = init?.body ?? undefined;
  const method = (init?.method ?? 'GET').toUpperCase();
  if (
    !(input instanceof Request) &&
    isReusable(body) &&
    // Request refuses a body on GET/HEAD with a TypeError: leave that to the general path.
    (body === undefined || (method !== 'GET' && method !== 'HEAD'))
  ) {
    return {
      url: new URL(typeof input === 'string' ? resolve(input, baseUrl) : input),
      method,
      headers: new Headers(init?.headers),
      body,
      signal: init?.signal ?? undefined,
      init: {
        ...(init?.redirect ? { redirect: init.redirect } : {}),
        ...(init?.credentials ? { credentials: init.credentials } : {}),
      },
    };
  }
  // A Request without init (what openapi-fetch passes) is read as it is; otherwise copy it
  // with signal: null — the copy must not follow the caller's signal: in undici that adds a
  // listener to it per request, which piles up on a long-lived signal.
  const request =
    input instanceof Request && init === undefined
      ? input
      : new Request(typeof input === 'string' ? resolve(input, baseUrl) : input, { ...init, signal: null });
  const buffered = request.body ? await request.arrayBuffer() : undefined;
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
  return {
    url: new URL(request.url),
    method: request.method.toUpperCase(),
    headers: new Headers(request.headers),
    body: buffered,
    signal,
    init: { redirect: request.redirect, credentials: request.credentials },
  };
}

let parsedBase: { baseUrl: string; origin: string; prefix: string } | undefined;

/** Only requests to the session's own API get the bearer: a token must never leak elsewhere. */
export function isUnderBase(url: URL, baseUrl: string): boolean {
  if (parsedBase?.baseUrl !== baseUrl) {
    const base = new URL(baseUrl);
    parsedBase = { baseUrl, origin: base.origin, prefix: base.pathname.replace(/\/+$/, '') };
  }
  const { origin, prefix } = parsedBase;
  if (url.origin !== origin) return false;
  return prefix === '' || url.pathname === prefix || url.pathname.startsWith(`${prefix}/`);
}

/** The request with the bearer set (a new token on the retry replaces the old one). */
export function toOutgoing(prepared: PreparedRequest, token: string | undefined): Outgoing {
  const { headers } = prepared;
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
