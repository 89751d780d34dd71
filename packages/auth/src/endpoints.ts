/**
 * What the SDK knows about each TestMax (ProjectX Gateway) endpoint, in one table: which
 * credentials it takes, whether repeating it is harmless, and whether it refuses a token in
 * the body. Every rule that depends on the path reads it from here.
 */
export interface Endpoint {
  /**
   * `key`: logs in with the API key (no bearer); `none`: needs nothing (ping);
   * `bearer`: every other endpoint.
   */
  readonly auth: 'key' | 'none' | 'bearer';
  /** Reads or only touches the session: sending it twice is harmless although it is a POST. */
  readonly readOnly: boolean;
  /**
   * errorCode 1 and 3 here mean "who are you?" ({@link isWhoAreYou}), so HTTP 200 with
   * `success: false` and one of them is a refused token. Elsewhere they mean other things (on ProjectX's `Order/place`, 3 is
   * insufficient funds) and only a bare 401 is a refusal.
   */
  readonly refusesInBody: boolean;
}

/**
 * The gateway's "who are you?" error codes (1 and 3): a refused token where the endpoint
 * `refusesInBody`, refused credentials on the login.
 */
export function isWhoAreYou(errorCode: unknown): boolean {
  return errorCode === 1 || errorCode === 3;
}

const LOGIN: Endpoint = { auth: 'key', readOnly: true, refusesInBody: false };
const SESSION: Endpoint = { auth: 'bearer', readOnly: true, refusesInBody: true };
const PUBLIC: Endpoint = { auth: 'none', readOnly: true, refusesInBody: false };
const READ: Endpoint = { auth: 'bearer', readOnly: true, refusesInBody: false };
const OTHER: Endpoint = { auth: 'bearer', readOnly: false, refusesInBody: false };

/** Matched against the end of the path, case-insensitively, first match wins. */
const TABLE: readonly (readonly [RegExp, Endpoint])[] = [
  [/\/Auth\/loginKey$/i, LOGIN],
  [/\/(?:Auth\/(?:validate|logout)|Account\/search)$/i, SESSION],
  [/\/Status\/ping$/i, PUBLIC],
  [/\/(?:[A-Za-z]+\/(?:search[A-Za-z]*|available)|History\/retrieveBars)$/i, READ],
];

export function endpointOf(pathname: string): Endpoint {
  for (const [pattern, endpoint] of TABLE) if (pattern.test(pathname)) return endpoint;
  return OTHER;
}
