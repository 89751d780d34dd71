import { OverLimit, readCapped } from './body-limit.js';
import type { Outgoing, RequestOptions } from './transport.js';

/**
 * What `session.fetch` accepts as its first argument: `fetch`'s own, spelled with the types
 * every runtime declares (`RequestInfo` exists only in the DOM library).
 */
export type FetchInput = string | URL | Request;

/** A caller's request, with a body that can be sent again after a 401. */
export interface PreparedRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: ArrayBuffer | ArrayBufferView<ArrayBuffer> | string | undefined;
  signal: AbortSignal | undefined;
  init: RequestOptions;
}

function resolve(input: string, baseUrl: string): URL {
  // A leading '/' is always relative; otherwise only a parse tells.
  if (!input.startsWith('/')) {
    try {
      return new URL(input);
    } catch {}
  }
  return new URL(`${baseUrl}${input.startsWith('/') ? '' : '/'}${input}`);
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
  input: FetchInput,
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
      url: typeof input === 'string' ? resolve(input, baseUrl) : new URL(input),
      method,
      headers: new Headers(init?.headers),
      body,
      signal: init?.signal ?? undefined,
      init: passThrough(init),
    };
  }
  return buffered(input, init, baseUrl);
}

/** {@link prepareRequest} for a body that must be read first (a stream, a Blob, a Request). */
async function buffered(
  input: FetchInput,
  init: RequestInit | undefined,
  baseUrl: string,
): Promise<PreparedRequest> {
  // A Request without init (what openapi-fetch passes) is read as it is; otherwise copy it
  // with signal: null — the copy must not follow the caller's signal: in undici that adds a
  // listener to it per request, which piles up on a long-lived signal.
  const request =
    input instanceof Request && init === undefined
      ? input
      : new Request(typeof input === 'string' ? resolve(input, baseUrl) : input, { ...init, signal: null });
  const body = request.body ? await request.arrayBuffer() : undefined;
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
  return {
    url: new URL(request.url),
    method: request.method.toUpperCase(),
    headers: new Headers(request.headers),
    body,
    signal,
    init: {
      redirect: request.redirect,
      credentials: request.credentials,
      cache: request.cache,
      integrity: request.integrity,
      keepalive: request.keepalive,
      referrerPolicy: request.referrerPolicy,
      // What the caller gave beside the Request (openapi-fetch passes its own extra init
      // this way, e.g. an undici `dispatcher` for a proxy).
      ...passThrough(init),
    },
  };
}

/**
 * Everything of the caller's `RequestInit` the session does not manage itself (it sets the
 * method, headers, body and signal of every attempt): `redirect`, `cache`, `keepalive`,
 * `priority`, an undici `dispatcher` for a proxy or client certificate …, kept as given.
 */
function passThrough(init: RequestInit | undefined): RequestOptions {
  if (!init) return {};
  const { body: _body, headers: _headers, method: _method, signal: _signal, ...rest } = init;
  return rest;
}

/**
 * A test for "is this URL under the session's API?", with the base parsed once. Only those
 * requests get the bearer: a token must never leak to another host.
 */
export function baseMatcher(baseUrl: string): (url: URL) => boolean {
  const base = new URL(baseUrl);
  const { origin } = base;
  const prefix = base.pathname.replace(/\/+$/, '');
  return (url) =>
    url.origin === origin &&
    (prefix === '' || url.pathname === prefix || url.pathname.startsWith(`${prefix}/`));
}

/** The request with the bearer set (a new token on the retry replaces the old one). */
export function toOutgoing(prepared: PreparedRequest, token: string | undefined): Outgoing {
  const { headers } = prepared;
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  return { url: prepared.url, method: prepared.method, headers, body: prepared.body, init: prepared.init };
}

const decoder = new TextDecoder();

export function decodeText(bytes: ArrayBuffer): string {
  return decoder.decode(bytes);
}

/**
 * A refusal envelope is a few dozen bytes; anything much longer is data, not "your token was
 * refused", and is not parsed a second time just to find out.
 */
const MAX_REFUSAL_BYTES = 4096;

const SUCCESS = Array.from('"success"', (c) => c.charCodeAt(0));
const FALSE = Array.from('false', (c) => c.charCodeAt(0));

/** Whitespace JSON allows between tokens: space, tab, line feed, carriage return. */
const isSpace = (byte: number | undefined) =>
  byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

function matchesAt(bytes: Uint8Array, at: number, word: readonly number[]): boolean {
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word[k]) return false;
  return true;
}

/**
 * Whether the body says `"success": false` anywhere (bytes, no decoding): a success answer
 * never does, so it is not parsed a second time just to find out.
 */
function saysSuccessFalse(body: ArrayBuffer): boolean {
  const bytes = new Uint8Array(body);
  // Every `"success"` starts with `"s`: look at quotes followed by an s only.
  for (let i = bytes.indexOf(0x22); i !== -1; i = bytes.indexOf(0x22, i + 1)) {
    if (bytes[i + 1] !== 0x73 || !matchesAt(bytes, i, SUCCESS)) continue;
    let j = i + SUCCESS.length;
    while (isSpace(bytes[j])) j++;
    if (bytes[j] !== 0x3a) continue; // ':'
    j++;
    while (isSpace(bytes[j])) j++;
    if (matchesAt(bytes, j, FALSE)) return true;
  }
  return false;
}

/**
 * The endpoints whose errorCode 1 and 3 mean "unknown user / invalid credentials", so that a
 * 200 with `success: false` and one of them is TestMax's other way of refusing a token: the
 * session endpoints and Account/search. Elsewhere those codes mean other things (on
 * ProjectX's Order/place, 3 is insufficient funds); only a bare 401 counts there.
 */
const BODY_REFUSAL_PATH = /\/(?:Auth\/(?:validate|logout)|Account\/search)$/i;

export function refusesInBody(pathname: string): boolean {
  return BODY_REFUSAL_PATH.test(pathname);
}

/**
 * A refused bearer: a bare 401, or (TestMax's other style, where `bodyForm` says the endpoint
 * uses it) HTTP 200 whose JSON body says `success: false` with errorCode 1 or 3.
 */
export function isRefusal(
  status: number,
  contentType: string | null,
  body: ArrayBuffer,
  bodyForm: boolean,
): boolean {
  if (status === 401) return true;
  if (!bodyForm || status !== 200 || !contentType?.toLowerCase().includes('json')) return false;
  if (body.byteLength > MAX_REFUSAL_BYTES || !saysSuccessFalse(body)) return false;
  try {
    const parsed = JSON.parse(decodeText(body)) as {
      success?: unknown;
      errorCode?: unknown;
    };
    return parsed.success === false && (parsed.errorCode === 1 || parsed.errorCode === 3);
  } catch {
    return false;
  }
}

/**
 * {@link isRefusal} for a response that must stay readable: reads at most a refusal's worth of
 * a clone (a longer body is data, not a refusal, however long it goes on).
 */
export async function isUnauthorizedResponse(response: Response, bodyForm: boolean): Promise<boolean> {
  if (response.status !== 200 || !bodyForm) return response.status === 401;
  const contentType = response.headers.get('content-type');
  if (!contentType?.toLowerCase().includes('json')) return false;
  try {
    return isRefusal(200, contentType, await readCapped(response.clone(), MAX_REFUSAL_BYTES), true);
  } catch (error) {
    if (error instanceof OverLimit) return false;
    throw error;
  }
}

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function unusable(): TypeError {
  return new TypeError('Body is unusable: Body has already been read');
}

/**
 * A `Response` whose body was already read into memory (inside the attempt, so the timeout
 * covered it). It is a real `Response` with that body — a runtime that reads it directly
 * (`cache.put`, a service worker's `respondWith`, `Deno.serve`) gets every byte — but `text()`,
 * `json()` and `arrayBuffer()` decode the kept bytes instead of reading the stream: on Node 20
 * that second stream read was most of `session.fetch`'s overhead. Once the stream itself is
 * touched (`body`), everything goes through it, exactly as on a plain `Response`.
 */
class BufferedResponse extends Response {
  readonly #original: Response;
  /** The body, kept for the fast reads and for `clone()`; never handed out uncopied. */
  readonly #bytes: ArrayBuffer | null;
  /** Read through a fast path. */
  #read = false;
  /** The stream was handed out: from now on it is the only source. */
  #streamed = false;

  readonly #redirected: boolean;

  constructor(original: Response, bytes: ArrayBuffer | null, headers: Headers, redirected = false) {
    super(bytes, { status: original.status, statusText: original.statusText, headers });
    this.#original = original;
    this.#bytes = bytes;
    this.#redirected = redirected;
  }

  /** The bytes for a fast read, or `undefined` when the stream must serve (or says it is used). */
  #take(): ArrayBuffer | undefined {
    if (this.#streamed || this.#bytes === null) return undefined;
    if (this.#read) throw unusable();
    this.#read = true;
    return this.#bytes;
  }

  override get url(): string {
    return this.#original.url;
  }
  override get redirected(): boolean {
    return this.#redirected || this.#original.redirected;
  }
  override get type(): ResponseType {
    return this.#original.type;
  }
  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    // After a fast read the stream (still full) must not serve the same bytes again.
    if (this.#read && !this.#streamed) void super.body?.cancel().catch(() => {});
    this.#streamed = true;
    return super.body;
  }
  override get bodyUsed(): boolean {
    return this.#read || super.bodyUsed;
  }
  override async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#take();
    return bytes ? bytes.slice(0) : super.arrayBuffer();
  }
  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }
  override async text(): Promise<string> {
    const bytes = this.#take();
    return bytes ? decoder.decode(bytes) : super.text();
  }
  override async json(): Promise<unknown> {
    const bytes = this.#take();
    return bytes ? JSON.parse(decoder.decode(bytes)) : super.json();
  }
  override async blob(): Promise<Blob> {
    if (this.#read) throw unusable();
    return super.blob();
  }
  override async formData(): Promise<FormData> {
    if (this.#read) throw unusable();
    return super.formData();
  }
  override clone(): Response {
    if (this.bodyUsed || (this.#streamed && super.body?.locked)) {
      throw new TypeError('Response.clone: Body has already been consumed.');
    }
    return new BufferedResponse(this.#original, this.#bytes, this.headers, this.#redirected);
  }
}

/**
 * A Response carrying `body` (already read) with the original's status, headers and url.
 * `bodyless`: the answer to a HEAD, which has no body whatever its headers say.
 */
export function rebuildResponse(
  original: Response,
  body: ArrayBuffer,
  bodyless = false,
  redirected = false,
): Response {
  // A browser's opaque redirect (status 0) cannot be rebuilt, and has no body to keep anyway.
  if (original.status < 200) return original;
  let { headers } = original;
  if (headers.has('content-encoding')) {
    // The body is decoded (fetch undid the content-encoding): the original encoding and length
    // no longer describe it. Without an encoding the bytes are exactly what the headers say.
    headers = new Headers(headers);
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  const none = bodyless || NULL_BODY.has(original.status);
  return new BufferedResponse(original, none ? null : body, headers, redirected);
}
