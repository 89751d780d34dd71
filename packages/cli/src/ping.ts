import { ApiError, AuthSession, parseRetryAfter, RateLimitError } from '@testmax/auth/node';
import type { Context } from './context.js';
import { loggerFor } from './session-flow.js';
import { requestSettings } from './settings.js';

/**
 * `GET /Status/ping` with the SDK's timeouts, retries and error types. @testmax/auth has no
 * unauthenticated call of its own, so this borrows `session.fetch`, which sends requests
 * outside its base URL without a bearer: the session is rooted at a path nothing lives under
 * and never logs in (its placeholder token is never sent).
 */
export async function ping(context: Context, baseUrl: string): Promise<void> {
  const { timeoutMs, retries } = requestSettings(context.env);
  const session = new AuthSession({
    userName: 'testmax-cli-ping',
    token: 'unused',
    baseUrl: `${baseUrl}/.testmax-cli-unauthenticated`,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(retries === undefined ? {} : { retry: { retries } }),
    logger: loggerFor(context),
  });
  const response = await session.fetch(`${baseUrl}/Status/ping`, { headers: { accept: 'application/json' } });
  const text = await response.text();
  const html = /^\s*</.test(text) || (response.headers.get('content-type') ?? '').includes('html');
  if (response.status === 429) {
    const waitMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    const wait = waitMs === undefined ? '' : ` and asked to wait ${Math.ceil(waitMs / 1000)} s`;
    throw new RateLimitError(
      `The TestMax API is rate limiting GET /Status/ping (HTTP 429)${wait}; slow down and retry later.`,
      waitMs,
    );
  }
  if (!response.ok) {
    throw new ApiError(
      `The TestMax API answered GET /Status/ping with HTTP ${response.status}${html ? ' and an HTML page instead of JSON' : ''}; check the base URL, or retry later.`,
      { status: response.status },
    );
  }
  let body: { success?: unknown; errorMessage?: unknown } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null) {
    throw new ApiError(
      `The TestMax API answered GET /Status/ping with ${html ? 'an HTML page' : 'a body that is not JSON'} (HTTP ${response.status}); check the base URL.`,
      { status: response.status },
    );
  }
  if (body.success !== true) {
    const reason = typeof body.errorMessage === 'string' ? `: ${body.errorMessage.slice(0, 200)}` : '';
    throw new ApiError(`The TestMax API reported a failed ping${reason}.`, { status: response.status });
  }
}
