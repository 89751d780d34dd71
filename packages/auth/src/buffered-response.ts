/**
 * The `Response` `session.fetch` hands back for the API's answers, whose body was read inside
 * the attempt (so the timeout covered it).
 */
const decoder = new TextDecoder();

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
  /** The body already parsed as JSON (session.client checked it): `json()` hands it out once. */
  readonly #parsed: { readonly value: unknown } | undefined;

  constructor(
    original: Response,
    bytes: ArrayBuffer | null,
    headers: Headers,
    redirected: boolean,
    parsed: { readonly value: unknown } | undefined,
  ) {
    super(bytes, { status: original.status, statusText: original.statusText, headers });
    this.#original = original;
    this.#bytes = bytes;
    this.#redirected = redirected;
    this.#parsed = parsed;
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
    if (!bytes) return super.json();
    return this.#parsed ? this.#parsed.value : JSON.parse(decoder.decode(bytes));
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
    // The parsed value is not shared: each reader gets a value of its own.
    return new BufferedResponse(this.#original, this.#bytes, this.headers, this.#redirected, undefined);
  }
}

export interface RebuildOptions {
  /** The answer to a HEAD, which has no body whatever its headers say. */
  readonly bodyless?: boolean;
  /** The SDK followed a redirect to get it. */
  readonly redirected?: boolean;
  /**
   * The body, already parsed as JSON: `json()` hands it out instead of parsing again, and the
   * response says its length (openapi-fetch parses a body of unknown length from `text()`).
   */
  readonly parsed?: { readonly value: unknown } | undefined;
}

/** A Response carrying `body` (already read) with the original's status, headers and url. */
export function rebuildResponse(
  original: Response,
  body: ArrayBuffer,
  options: RebuildOptions = {},
): Response {
  // A browser's opaque redirect (status 0) cannot be rebuilt, and has no body to keep anyway.
  if (original.status < 200) return original;
  let { headers } = original;
  const encoded = headers.has('content-encoding');
  if (encoded || (options.parsed && !headers.has('content-length'))) {
    // The body is decoded (fetch undid the content-encoding): the original encoding and length
    // no longer describe it. Without an encoding the bytes are exactly what the headers say.
    headers = new Headers(headers);
    headers.delete('content-encoding');
    headers.delete('content-length');
    if (options.parsed) headers.set('content-length', String(body.byteLength));
  }
  const none = options.bodyless === true || NULL_BODY.has(original.status);
  return new BufferedResponse(
    original,
    none ? null : body,
    headers,
    options.redirected === true,
    options.parsed,
  );
}
