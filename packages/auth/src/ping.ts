import { DEFAULT_BASE_URL } from '@testmax/client';
import { normalizeBaseUrl } from './base-url.js';
import { elapsedSince, performanceNow } from './clock.js';
import { interpret } from './envelope.js';
import { createLog, type Logger } from './logger.js';
import { createTransport, send, type TransportOptions } from './transport.js';

export interface PingOptions extends TransportOptions {
  baseUrl?: string;
  logger?: Logger | false;
  signal?: AbortSignal;
}

export interface PingResult {
  /** Round trip of the successful attempt plus any retries, in ms. */
  durationMs: number;
}

/**
 * `GET /Status/ping`: is the service up? Needs no credentials. Same timeouts, retries and
 * errors as every other call (`NetworkError`, `TimeoutError`, `ApiError` for an HTML page or a
 * `success: false`).
 */
export async function ping(options: PingOptions = {}): Promise<PingResult> {
  const baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const log = createLog(options.logger, () => []);
  const transport = createTransport(options, log, () => []);
  const started = performanceNow();
  const received = await send(
    transport,
    {
      url: new URL(`${baseUrl}/Status/ping`),
      method: 'GET',
      headers: new Headers({ accept: 'application/json' }),
    },
    // No credentials go with a ping, but a redirect is still not the API answering.
    { signal: options.signal, read: 'text', redirects: { kind: 'refuse' } },
  );
  interpret(received, { operation: 'public', label: 'GET /Status/ping', secrets: [] });
  return { durationMs: elapsedSince(started) };
}
