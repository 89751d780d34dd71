/**
 * Real `fetch`, watched for secrets: the bearer token of every request and every `token` /
 * `newToken` in a response body are handed to `record`, so a leak scan knows every token the
 * server issued (refreshed and re-issued ones included). It observes; the caller gets the
 * untouched response (the body is read from a clone).
 */

export interface RecordingFetchOptions {
  /**
   * `true`: a JSON body is read before the response is handed over, so the test's next line
   * (a leak scan) already knows its token. `false` (default): bodies are read alongside, so a
   * body that trickles or never ends is timed by the SDK as it would be without the watcher.
   */
  readJsonFirst?: boolean;
  /** The fetch watched; default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
}

/** A token answer is a few hundred bytes; past this a body is an attack, read no further. */
const MAX_READ_BYTES = 1024 * 1024;

/** Shorter values are no credential, and would match innocent text by chance. */
const MIN_SECRET_LENGTH = 8;

export function recordingFetch(
  record: (secret: string) => void,
  options: RecordingFetchOptions = {},
): typeof globalThis.fetch {
  const keep = (value: unknown) => {
    if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) record(value);
  };
  const harvest = (text: string) => {
    for (const match of text.matchAll(/"(?:token|newToken)"\s*:\s*"([^"]+)"/g)) keep(match[1]);
  };
  return async (input, init) => {
    const base = options.fetch ?? globalThis.fetch;
    const response = await base(input, init);
    const authorization = new Headers(init?.headers).get('authorization');
    if (authorization) keep(authorization.replace(/^Bearer\s+/i, ''));
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    const reading = textOf(response.clone())
      .then(harvest)
      .catch(() => {}); // a body cut short: nothing to note
    if (options.readJsonFirst && isJson) await reading;
    return response;
  };
}

/** The body's first MAX_READ_BYTES as text; a body that never ends is cut there, not followed. */
async function textOf(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_READ_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).toString('utf8');
}
