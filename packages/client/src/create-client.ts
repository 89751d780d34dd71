import createFetchClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './generated/schema.js';

/** The production TestMax simulator. */
export const DEFAULT_BASE_URL = 'https://api.test-max.com/api/topstep-sim';

export interface CreateClientOptions {
  /** API root, without a trailing slash. Defaults to {@link DEFAULT_BASE_URL}. */
  baseUrl?: string;
  /** A `fetch` implementation (a test double, an undici dispatcher, `session.fetch`). */
  fetch?: ClientOptions['fetch'];
  /** Headers sent with every request. */
  headers?: ClientOptions['headers'];
}

/**
 * The media types the API answers with: JSON for results, RFC 9457 problem documents for
 * errors. Both must be named, or openapi-fetch types `error` as the whole content map.
 */
export type TestMaxMediaType = 'application/json' | 'application/problem+json';

/**
 * The typed client: every path, body and response is checked against the OpenAPI document;
 * `data` is the operation's result, `error` its problem document.
 */
export type TestMaxClient = Client<paths, TestMaxMediaType>;

/**
 * Create a typed client for the TestMax API.
 *
 * The client adds no authentication of its own: pass `fetch: session.fetch` or
 * `client.use(session.middleware)` from `@testmax/auth`, or send a bearer in `headers`.
 */
export function createClient(options: CreateClientOptions = {}): TestMaxClient {
  const { baseUrl = DEFAULT_BASE_URL, fetch, headers } = options;
  return createFetchClient<paths, TestMaxMediaType>({
    // A trailing slash would produce `//Auth/...`, which some proxies reject.
    baseUrl: baseUrl.replace(/\/+$/, ''),
    ...(fetch ? { fetch } : {}),
    ...(headers ? { headers } : {}),
  });
}
