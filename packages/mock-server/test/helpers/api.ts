import { assertMatchesSpec } from './contract.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: assertions read fields of whatever JSON came back
  json: any;
}

export interface CallOptions {
  method?: string;
  /** A value to send as JSON. */
  body?: unknown;
  /** A raw body, sent as is (for malformed input). */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
  /**
   * Skip the spec check. Only for answers that are deliberately not part of the contract:
   * faults injected with a raw `body` (an HTML page, truncated JSON) and CORS preflights (a
   * browser protocol, not an API operation). Faults the simulator fills in itself (a 429, a 503,
   * a 401) are checked like any answer.
   */
  contract?: false;
}

/**
 * One HTTP call to the simulator over loopback. Every answer is checked against the bundled
 * OpenAPI document unless the call opts out, so any drift from the contract fails the test.
 */
export async function call(baseUrl: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
  const method =
    options.method ?? (options.body !== undefined || options.rawBody !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  if (options.contract !== false) {
    assertMatchesSpec({
      method,
      path: path.split('?')[0]!,
      status: response.status,
      contentType: response.headers.get('content-type'),
      headers: Object.fromEntries(response.headers),
      body: text,
    });
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Log in and return the token, failing the test if login does not succeed. */
export async function login(baseUrl: string, userName: string, apiKey: string): Promise<string> {
  const response = await call(baseUrl, '/Auth/loginKey', { body: { userName, apiKey } });
  if (response.json?.success !== true || typeof response.json.token !== 'string') {
    throw new Error(`login failed: ${response.text}`);
  }
  return response.json.token;
}

/** The decoded payload of a JWT (no verification: tests look at what the server issued). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}
