/**
 * The response-size cap: the one rule for how much of an answer the SDK reads.
 *
 * 8 MiB by default. The SDK's own answers are a few hundred bytes; the largest documented
 * answer of the API `session.fetch` serves, `History/retrieveBars` at its 20 000-bar maximum,
 * is about 2 MB of JSON, so 8 MiB leaves four times that while a hostile or broken server
 * (a gzip bomb, an endless chunked body) costs at most 8 MiB plus one chunk.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Thrown by {@link readCapped} once more than the cap arrived; the transport words the error. */
export class OverLimit extends Error {
  constructor(readonly receivedBytes: number) {
    super('response body over maxResponseBytes');
  }
}

function declaredLength(response: Response): number | undefined {
  // With a content-encoding the header counts encoded bytes; the cap counts decoded ones.
  if (response.headers.has('content-encoding')) return undefined;
  const value = Number(response.headers.get('content-length') ?? Number.NaN);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Read the whole body, counting bytes after decompression (what the runtime's `fetch` hands
 * out), and stop at once — cancelling the stream, which closes the connection — when more than
 * `maxBytes` arrive. A body that announces a length within the cap is read the fast way.
 */
export async function readCapped(response: Response, maxBytes: number): Promise<ArrayBuffer> {
  const declared = declaredLength(response);
  if (declared !== undefined && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new OverLimit(declared);
  }
  const body = response.body as ReadableStream<Uint8Array> | null;
  // Exactly `declared` bytes follow (HTTP framing), or a fetch without web streams (an old
  // polyfill): nothing to count while reading; the length is checked after.
  if (declared !== undefined || typeof body?.getReader !== 'function') {
    const bytes = await response.arrayBuffer();
    if (bytes.byteLength > maxBytes) throw new OverLimit(bytes.byteLength);
    return bytes;
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      void reader.cancel().catch(() => {});
      throw new OverLimit(total);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out.buffer;
}

/** "8 MiB", "512 KiB", "1000 bytes": a cap as people read it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
