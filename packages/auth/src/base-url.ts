import { ConfigError } from './errors.js';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Check and normalise an API base URL: https, or http only for a loopback host (a token sent
 * in clear over a network is a token given away). Trailing slashes are removed.
 * @param origin where the value came from, named in the error (e.g. "TESTMAX_API_URL").
 */
export function normalizeBaseUrl(value: string, origin = 'baseUrl'): string {
  if (typeof value !== 'string') {
    const given: unknown = value;
    const what =
      given instanceof URL ? 'a URL object; pass its href' : given === null ? 'null' : `a ${typeof given}`;
    throw new ConfigError(
      `The API base URL from ${origin} must be a string such as https://api.test-max.com/api/topstep-sim (got ${what}).`,
    );
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(`The API base URL from ${origin} is not a valid URL`, {
      advice: `use e.g. https://api.test-max.com/api/topstep-sim`,
    });
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ConfigError(
      `The API base URL from ${origin} uses plain http:// for the non-loopback host ${url.hostname}`,
      { advice: `use https:// (http is allowed only for localhost, 127.0.0.0/8 and ::1)` },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`The API base URL from ${origin} must use https:// (got ${url.protocol}).`);
  }
  if (url.username || url.password) {
    throw new ConfigError(`The API base URL from ${origin} must not contain a user name or password.`);
  }
  url.search = '';
  url.hash = '';
  return withoutTrailingSlashes(url.toString());
}

/** The one trailing-slash rule: `https://h/api/` and `https://h/api` are the same API (and `/Account/search/` the same path). */
export function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * A test for "is this URL under this API?" (same origin; the base path itself or below it),
 * with the base parsed once. Only those requests get the bearer: a token must never leak to
 * another host, or to `/apix` beside `/api`.
 */
export function baseUrlMatcher(baseUrl: string): (url: URL) => boolean {
  const base = new URL(baseUrl);
  const { origin } = base;
  const prefix = withoutTrailingSlashes(base.pathname);
  return (url) =>
    url.origin === origin &&
    (prefix === '' || url.pathname === prefix || url.pathname.startsWith(`${prefix}/`));
}
