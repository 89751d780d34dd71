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
      url: typeof input === 'string' ? resolve(input, baseUrl) : new URL(input),
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

const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65]; // "false"

/** Whether the body holds the word `false` at all: without it there is nothing to parse. */
function mentionsFalse(body: ArrayBuffer | string): boolean {
  if (typeof body === 'string') return body.includes('false');
  const bytes = new Uint8Array(body);
  outer: for (
    let i = bytes.indexOf(0x66);
    i !== -1 && i <= bytes.length - 5;
    i = bytes.indexOf(0x66, i + 1)
  ) {
    for (let j = 1; j < 5; j++) if (bytes[i + j] !== FALSE[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * A refused bearer: a bare 401, or (TestMax's other style) HTTP 200 whose JSON body says
 * `success: false` with errorCode 1 or 3.
 */
export function isRefusal(status: number, contentType: string | null, body: ArrayBuffer | string): boolean {
  if (status === 401) return true;
  if (status !== 200 || !contentType?.toLowerCase().includes('json')) return false;
  const size = typeof body === 'string' ? body.length : body.byteLength;
  if (size > MAX_REFUSAL_BYTES || !mentionsFalse(body)) return false;
  try {
    const parsed = JSON.parse(typeof body === 'string' ? body : decodeText(body)) as {
      success?: unknown;
      errorCode?: unknown;
    };
    return parsed.success === false && (parsed.errorCode === 1 || parsed.errorCode === 3);
  } catch {
    return false;
  }
}

/** {@link isRefusal} for a response that must stay readable: reads a clone. */
export async function isUnauthorizedResponse(response: Response): Promise<boolean> {
  if (response.status !== 200) return response.status === 401;
  const contentType = response.headers.get('content-type');
  const length = Number(response.headers.get('content-length') ?? 0);
  if (!contentType?.toLowerCase().includes('json') || length > MAX_REFUSAL_BYTES) return false;
  return isRefusal(200, contentType, await response.clone().arrayBuffer());
}

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function unusable(): TypeError {
  return new TypeError('Body is unusable: Body has already been read');
}

/**
 * A `Response` whose body was already read into memory (inside the attempt, so the timeout
 * covered it). Reading it parses the bytes directly: a rebuilt `Response` would cost a new
 * `ReadableStream` plus a second stream read per call — most of `session.fetch`'s overhead on
 * Node 20. Anything that needs a real stream (`body`, `clone`, `blob`, `formData`) gets one,
 * made on first use, and from then on the object behaves exactly like a plain `Response`.
 */
class BufferedResponse extends Response {
  readonly #original: Response;
  /** A null-body status (204, 304 …): there never is a body to read or stream. */
  readonly #nullBody: boolean;
  #bytes: ArrayBuffer | null;
  #used = false;
  #plain: Response | undefined;

  constructor(original: Response, bytes: ArrayBuffer | null, headers: Headers) {
    super(null, { status: original.status, statusText: original.statusText, headers });
    this.#original = original;
    this.#nullBody = bytes === null;
    this.#bytes = bytes;
  }

  /** The stand-in with a real stream, once something needs one. */
  #stream(): Response {
    if (!this.#plain) {
      // Already read here: the stand-in's stream is read too, so it reports "used" as well.
      const source = this.#nullBody ? null : this.#used ? new ReadableStream() : this.#bytes;
      this.#plain = new Response(source, this);
      if (this.#used && source !== null) void this.#plain.text().catch(() => {});
      this.#bytes = null;
    }
    return this.#plain;
  }

  #take(): ArrayBuffer {
    // Like a real Response, a missing body reads as empty, as often as you like.
    if (this.#nullBody) return new ArrayBuffer(0);
    if (this.#used) throw unusable();
    this.#used = true;
    const bytes = this.#bytes ?? new ArrayBuffer(0);
    this.#bytes = null;
    return bytes;
  }

  override get url(): string {
    return this.#original.url;
  }
  override get redirected(): boolean {
    return this.#original.redirected;
  }
  override get type(): ResponseType {
    return this.#original.type;
  }
  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#nullBody ? null : this.#stream().body;
  }
  override get bodyUsed(): boolean {
    return this.#plain ? this.#plain.bodyUsed : this.#used;
  }
  override async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#plain ? this.#plain.arrayBuffer() : this.#take();
  }
  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }
  override async text(): Promise<string> {
    return this.#plain ? this.#plain.text() : decoder.decode(this.#take());
  }
  override async json(): Promise<unknown> {
    return this.#plain ? this.#plain.json() : JSON.parse(decoder.decode(this.#take()));
  }
  override blob(): Promise<Blob> {
    return this.#stream().blob();
  }
  override formData(): Promise<FormData> {
    return this.#stream().formData();
  }
  override clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    if (this.#plain) return this.#plain.clone();
    return new BufferedResponse(this.#original, this.#bytes?.slice(0) ?? null, this.headers);
  }
}

/** A Response carrying `body` (already read) with the original's status, headers and url. */
export function rebuildResponse(original: Response, body: ArrayBuffer): Response {
  let { headers } = original;
  if (headers.has('content-encoding')) {
    // The body is decoded (fetch undid the content-encoding): the original encoding and length
    // no longer describe it. Without an encoding the bytes are exactly what the headers say.
    headers = new Headers(headers);
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  return new BufferedResponse(original, NULL_BODY.has(original.status) ? null : body, headers);
}
