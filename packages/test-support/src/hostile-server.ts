import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import { listenOnLoopback } from './loopback.js';

/** One request as the server saw it: what a client sent, secrets included, to look for them. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body as text (the first 1 MiB). */
  body: string;
  /** True when the client closed the connection before the answer was complete. */
  cutShort: boolean;
}

/** What the server does with a request: anything a hostile or broken server could. */
export type Attack = (
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
) => void | Promise<void>;

const MAX_RECORDED_BODY = 1024 * 1024;

/**
 * A scriptable hostile server on 127.0.0.1: each path gets an {@link Attack} (redirects, gzip
 * bombs, huge or endless bodies, impossible tokens …), and every request is recorded, so a test
 * can assert both what the client made of the answer and what the client gave away. Started
 * twice it plays "the API" and "another origin" a redirect points to.
 */
export class HostileServer {
  readonly requests: RecordedRequest[] = [];
  readonly #attacks = new Map<string, Attack>();
  #fallback: Attack = (_request, response) =>
    json({ title: 'Not Found', status: 404 }, 404)(_request, response, '');

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    /** `http://127.0.0.1:PORT`, no trailing slash: base URL and origin at once. */
    readonly url: string,
  ) {}

  static async start(): Promise<HostileServer> {
    let self: HostileServer | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        if (size < MAX_RECORDED_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      request.on('end', () => {
        const body = Buffer.concat(chunks).subarray(0, MAX_RECORDED_BODY).toString('utf8');
        const record: RecordedRequest = {
          method: request.method ?? '',
          url: request.url ?? '/',
          headers: request.headers,
          body,
          cutShort: false,
        };
        self?.requests.push(record);
        response.on('close', () => {
          if (!response.writableFinished) record.cutShort = true;
        });
        const path = (request.url ?? '/').split('?')[0] ?? '/';
        const attack = self?.attackFor(path);
        Promise.resolve(attack?.(request, response, body)).catch(() => response.destroy());
      });
    });
    const url = await listenOnLoopback(server);
    self = new HostileServer(server, url);
    return self;
  }

  private attackFor(path: string): Attack {
    return this.#attacks.get(path) ?? this.#fallback;
  }

  /** Answer requests to `path` (exact, without the query) with `attack`. */
  on(path: string, attack: Attack): this {
    this.#attacks.set(path, attack);
    return this;
  }

  /** Answer every other path with `attack`. */
  otherwise(attack: Attack): this {
    this.#fallback = attack;
    return this;
  }

  /** Requests to `path`. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => (r.url.split('?')[0] ?? '') === path);
  }

  /**
   * The given secrets found anywhere in what reached this server (headers, path, body),
   * described without quoting them.
   */
  secretsReceived(secrets: Iterable<string>): string[] {
    const found: string[] = [];
    for (const secret of secrets) {
      if (secret.length < 4) continue;
      for (const r of this.requests) {
        const seen = `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`;
        if (seen.includes(secret)) found.push(`a ${secret.length}-character secret in ${r.method} ${r.url}`);
      }
    }
    return found;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Attack {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(JSON.stringify(body));
  };
}

/** An answer as given: any status, headers and body (text or bytes, sent as they are). */
export function answer(status: number, headers: Record<string, string>, body: string | Uint8Array): Attack {
  return (_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  };
}

/** A successful login or validate answer carrying `token`, whatever it holds. */
export function tokenAnswer(token: string): Attack {
  return json({ success: true, errorCode: 0, errorMessage: null, token });
}

/** A redirect to `location` (absolute, or relative to the request). */
export function redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 307): Attack {
  return (_request, response) => {
    response.writeHead(status, { location, 'content-type': 'text/plain' });
    response.end(`Redirecting to ${location}`);
  };
}

/** Wait until `response` can take more, or is gone. */
function drained(response: ServerResponse | ReturnType<typeof createGzip>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}

const ZEROS = Buffer.alloc(64 * 1024, 0x30); // '0' characters: valid JSON digits, and it compresses

/**
 * Write `totalBytes` (or without end, `Infinity`) of filler to `sink` in 64 KiB chunks, with
 * back-pressure, stopping as soon as the client is gone.
 */
async function pump(
  sink: ServerResponse | ReturnType<typeof createGzip>,
  gone: () => boolean,
  totalBytes: number,
): Promise<void> {
  let sent = 0;
  while (sent < totalBytes && !gone()) {
    const chunk = totalBytes - sent >= ZEROS.length ? ZEROS : ZEROS.subarray(0, totalBytes - sent);
    sent += chunk.length;
    if (!sink.write(chunk)) await drained(sink);
  }
  if (!gone()) sink.end();
}

/**
 * A body of `totalBytes` (`Infinity`: endless), chunked unless `contentLength` announces it.
 * Stops writing once the client closes the connection.
 */
export function hugeBody(
  totalBytes: number,
  options: { contentLength?: boolean; contentType?: string } = {},
): Attack {
  return async (_request, response) => {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
    if (options.contentLength && Number.isFinite(totalBytes)) headers['content-length'] = String(totalBytes);
    response.writeHead(200, headers);
    await pump(response, () => response.destroyed, totalBytes);
  };
}

/** A gzip answer of a few hundred KB that inflates to `inflatedBytes`, streamed as it is made. */
export function gzipBomb(inflatedBytes: number): Attack {
  return async (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    const gzip = createGzip({ level: 9 });
    gzip.pipe(response);
    response.on('close', () => gzip.destroy());
    await pump(gzip, () => response.destroyed || gzip.destroyed, inflatedBytes);
  };
}
