/**
 * The one representation of a request the SDK sends: made once from what the caller gave
 * (`fetch` arguments, the typed client's call, the SDK's own calls), sent as often as retries,
 * a redirect or a refused token need, and never read back from a `Request`.
 */

/**
 * What `session.fetch` accepts as its first argument: `fetch`'s own, spelled with the types
 * every runtime declares (`RequestInfo` exists only in the DOM library).
 */
export type FetchInput = string | URL | Request;

/** The parts of a `RequestInit` that pass through to `fetch` unchanged. */
export type RequestOptions = Omit<RequestInit, 'body' | 'headers' | 'method' | 'signal'>;

/** A body that can be sent any number of times as it is. */
export type ReusableBody = string | ArrayBuffer | ArrayBufferView<ArrayBuffer>;

export interface ApiRequest {
  readonly url: URL;
  readonly method: string;
  /** The request's own copy: the bearer is set on it (authenticated-path.ts), never on the caller's. */
  readonly headers: Headers;
  readonly body: ReusableBody | undefined;
  /** Everything else of the caller's `RequestInit` (`redirect`, `keepalive`, an undici `dispatcher` …). */
  readonly init: RequestOptions;
  readonly signal: AbortSignal | undefined;
}

/** A request of the SDK's own: JSON in, JSON out. */
export function jsonRequest(url: URL, method: string, body?: unknown): ApiRequest {
  const headers = new Headers({ accept: 'application/json' });
  if (body !== undefined) headers.set('content-type', 'application/json');
  return {
    url,
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    init: {},
    signal: undefined,
  };
}

/** `'/Account/search'` against the base URL, which `fetch` itself cannot do outside a browser. */
function resolve(input: string, baseUrl: string): URL {
  // A leading '/' is always relative; otherwise only a parse tells.
  if (!input.startsWith('/')) {
    try {
      return new URL(input);
    } catch {}
  }
  return new URL(`${baseUrl}${input.startsWith('/') ? '' : '/'}${input}`);
}

function isReusable(body: unknown): body is ReusableBody | undefined {
  return (
    body === undefined ||
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    (ArrayBuffer.isView(body) && body.buffer instanceof ArrayBuffer)
  );
}

/** The caller's `RequestInit` without what the SDK sets on every attempt. */
function passThrough(init: RequestInit | undefined): RequestOptions {
  if (!init) return {};
  const { body: _body, headers: _headers, method: _method, signal: _signal, ...rest } = init;
  return rest;
}

/**
 * `fetch` arguments as an {@link ApiRequest}. A string or bytes body is kept as it is; a stream,
 * Blob, FormData or a `Request`'s body is read once, so it can be re-sent after a 401.
 */
export async function fromFetchArguments(
  input: FetchInput,
  init: RequestInit | undefined,
  baseUrl: string,
): Promise<ApiRequest> {
  const body = init?.body ?? undefined;
  const method = (init?.method ?? 'GET').toUpperCase();
  if (
    !(input instanceof Request) &&
    isReusable(body) &&
    // Request refuses a body on GET/HEAD with a TypeError: leave that to the general path.
    (body === undefined || (method !== 'GET' && method !== 'HEAD'))
  ) {
    return {
      url: typeof input === 'string' ? resolve(input, baseUrl) : new URL(input),
      method,
      headers: new Headers(init?.headers),
      body,
      init: passThrough(init),
      signal: init?.signal ?? undefined,
    };
  }
  // A Request without init is read as it is; otherwise copy it with signal: null — the copy
  // must not follow the caller's signal: in undici that adds a listener to it per request,
  // which piles up on a long-lived signal.
  const request =
    input instanceof Request && init === undefined
      ? input
      : new Request(typeof input === 'string' ? resolve(input, baseUrl) : input, { ...init, signal: null });
  return {
    url: new URL(request.url),
    method: request.method.toUpperCase(),
    headers: new Headers(request.headers),
    body: request.body ? await request.arrayBuffer() : undefined,
    init: {
      redirect: request.redirect,
      credentials: request.credentials,
      cache: request.cache,
      integrity: request.integrity,
      keepalive: request.keepalive,
      referrerPolicy: request.referrerPolicy,
      // What the caller gave beside the Request (e.g. an undici `dispatcher` for a proxy).
      ...passThrough(init),
    },
    signal: init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined,
  };
}

/** What the typed client's requests were made with: the body openapi-fetch serialised, the signal. */
const kept = new WeakMap<Request, { readonly body: unknown; readonly signal: AbortSignal | undefined }>();

/**
 * The `Request` constructor `session.client` gives openapi-fetch: it makes a real `Request`
 * (middleware a user adds sees nothing unusual) and remembers the body and signal it was made
 * with, so the session sends that string as it is instead of reading back the stream it was
 * turned into.
 */
export function KeptRequest(input: string | URL, init: RequestInit = {}): Request {
  // Not linked to the caller's signal (undici would add a listener to it per request).
  const request = new Request(input, init.signal ? { ...init, signal: null } : init);
  kept.set(request, { body: init.body ?? undefined, signal: init.signal ?? undefined });
  return request;
}

/**
 * The typed client's request as an {@link ApiRequest}, without reading its body: the string
 * openapi-fetch serialised is still at hand. A `Request` that middleware swapped in is read as
 * `session.fetch` reads any other.
 */
export function fromClientRequest(request: Request, baseUrl: string): Promise<ApiRequest> {
  const made = kept.get(request);
  if (!made || !isReusable(made.body) || request.bodyUsed)
    return fromFetchArguments(request, undefined, baseUrl);
  return Promise.resolve({
    url: new URL(request.url),
    method: request.method,
    // openapi-fetch made this Request for this one call: its headers are the request's own.
    headers: request.headers,
    body: made.body,
    init: { redirect: request.redirect },
    signal: made.signal,
  });
}
