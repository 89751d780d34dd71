/**
 * The redirect rule: credentials (the API key in a login body, a bearer) never leave the base
 * URL's origin. Every request the SDK sends to the API goes out with `redirect: 'manual'`, so
 * the runtime never follows a redirect by itself; what happens next is decided here.
 */
import { ApiError } from './errors.js';
import type { Outgoing } from './transport.js';

/** Hops `session.fetch` follows within the API before it calls it a loop. */
export const MAX_REDIRECTS = 5;

export type RedirectRule =
  /** The SDK's own calls (login, validate, logout, ping, accounts): any redirect is an error. */
  | { kind: 'refuse' }
  /**
   * `session.fetch` to the API: a redirect to a URL under the base is followed (with the
   * bearer), any other is an error. `mode` is the caller's `redirect`: `manual` hands the
   * redirect back as it came, `error` makes any redirect an error.
   */
  | { kind: 'within'; isAllowed: (url: URL) => boolean; mode: 'follow' | 'manual' | 'error' | undefined };

export type RedirectVerdict =
  | { kind: 'deliver' }
  | { kind: 'follow'; next: Outgoing }
  | { kind: 'fail'; error: ApiError };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A redirect the runtime left to us: a 3xx with a Location (undici), or the opaque answer a
 * browser gives for `redirect: 'manual'`, whose target it hides.
 */
export function isRedirect(response: Response): boolean {
  return (
    response.type === 'opaqueredirect' ||
    (REDIRECT_STATUSES.has(response.status) && response.headers.has('location'))
  );
}

function targetOf(response: Response, from: URL): URL | undefined {
  try {
    return new URL(response.headers.get('location') ?? '', from);
  } catch {
    return undefined;
  }
}

/** The target's origin, never its path or query (which may carry anything). */
function describe(target: URL | undefined): string {
  if (!target) return 'a location the runtime does not show';
  return target.origin === 'null' ? `a ${target.protocol} URL` : target.origin;
}

function redirectError(label: string, response: Response, target: URL | undefined, why: string): ApiError {
  const status = response.status === 0 ? '' : ` (HTTP ${response.status})`;
  return new ApiError(
    `The TestMax API answered ${label} with a redirect${status} to ${describe(target)}; ${why}`,
    response.status === 0 ? {} : { status: response.status },
  );
}

/** The request a followed redirect makes, as the Fetch standard rewrites it (303 → GET …). */
function nextRequest(out: Outgoing, status: number, target: URL): Outgoing {
  const toGet =
    ((status === 301 || status === 302) && out.method === 'POST') ||
    (status === 303 && out.method !== 'GET' && out.method !== 'HEAD');
  if (!toGet) return { ...out, url: target };
  const headers = new Headers(out.headers);
  for (const name of ['content-type', 'content-encoding', 'content-language', 'content-location']) {
    headers.delete(name);
  }
  return { ...out, url: target, method: 'GET', headers, body: undefined };
}

/**
 * What to do with `response` to `out` under `rule`, `hops` redirects into the request. A fetch
 * that followed a redirect despite `manual` (some polyfills do) is caught by its final URL.
 */
export function judgeRedirect(
  rule: RedirectRule,
  response: Response,
  out: Outgoing,
  hops: number,
  label: string,
): RedirectVerdict {
  const allowed = (url: URL) => rule.kind === 'within' && rule.isAllowed(url);
  if (response.redirected && response.url && !allowed(new URL(response.url))) {
    const error = redirectError(
      label,
      response,
      new URL(response.url),
      'the fetch implementation followed it although the SDK asked it not to; pass a fetch that honours redirect: "manual".',
    );
    return { kind: 'fail', error };
  }
  if (!isRedirect(response)) return { kind: 'deliver' };
  const target = response.type === 'opaqueredirect' ? undefined : targetOf(response, out.url);
  if (rule.kind === 'refuse') {
    return {
      kind: 'fail',
      error: redirectError(
        label,
        response,
        target,
        'the SDK does not follow redirects with your credentials, so check the base URL.',
      ),
    };
  }
  if (rule.mode === 'manual') return { kind: 'deliver' };
  if (rule.mode === 'error') {
    return {
      kind: 'fail',
      error: redirectError(label, response, target, 'the request said redirect: "error".'),
    };
  }
  if (!target || !allowed(target)) {
    return {
      kind: 'fail',
      error: redirectError(
        label,
        response,
        target,
        `the session's bearer token never leaves ${out.url.origin} (and the API's base path), so the redirect was not followed; check the base URL.`,
      ),
    };
  }
  if (hops >= MAX_REDIRECTS) {
    return {
      kind: 'fail',
      error: redirectError(
        label,
        response,
        target,
        `that is more than ${MAX_REDIRECTS} redirects in a row (a redirect loop), so the SDK stopped; check the base URL.`,
      ),
    };
  }
  return { kind: 'follow', next: nextRequest(out, response.status, target) };
}
