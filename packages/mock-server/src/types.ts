/** A trading account the simulator returns from `Account/search`. */
export interface MockAccount {
  id: number;
  name: string;
  balance: number;
  canTrade: boolean;
}

/** A user the simulator knows. */
export interface MockUser {
  userName: string;
  apiKey: string;
  /** A disabled user gets `errorCode` 3, "Account is disabled", at login. */
  disabled?: boolean;
  /** `false`: login answers `errorCode` 9 (Pro subscription required). Default `true`. */
  subscribed?: boolean;
  /** Accounts returned by `Account/search`. Defaults to two demo accounts. */
  accounts?: MockAccount[];
}

import type { MockRateLimitRule } from './rate-limits.js';

export interface MockServerOptions {
  /** Port to listen on; 0 (the default) picks a free port. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Known users; default one demo user, {@link DEMO_USER}. */
  users?: MockUser[];
  /** Lifetime of issued tokens in seconds; default 86 400 (24 h). */
  tokenLifetimeSec?: number;
  /**
   * Seconds before expiry from which `Auth/validate` returns a new token; before that it
   * returns the same token. Default 20 % of `tokenLifetimeSec`.
   */
  refreshWindowSec?: number;
  /** @deprecated The same as `refreshWindowSec` (its unit was not in its name). */
  refreshWindow?: number;
  /**
   * How a missing, expired, revoked or invalid bearer is answered: `'status'` (default) a bare
   * 401 with `WWW-Authenticate: Bearer`; `'body'` HTTP 200 with `success: false`, `errorCode` 3.
   */
  unauthorizedStyle?: 'status' | 'body';
  /** Field name `Auth/validate` uses for the token: `'token'` (default, TestMax) or `'newToken'` (ProjectX). */
  validateTokenField?: 'token' | 'newToken';
  /** Clock in epoch milliseconds, for tests that move time; default `Date.now`. */
  now?: () => number;
  /** HS256 signing secret; default a random one per server. */
  secret?: string;
  /**
   * Enforce rate limits as the gateway does: 429 with `Retry-After` and a problem document
   * beyond them. `true` for the gateway's documented limits (`GATEWAY_RATE_LIMITS`: 200 / 60 s,
   * 50 / 30 s for `History/retrieveBars`), or your own rules. Counted per user (of the bearer
   * token) or, without a token the simulator issued, per IP address, in a sliding window on
   * `now`. Default off.
   */
  rateLimits?: boolean | readonly MockRateLimitRule[];
}

/**
 * A fault the next matching request(s) get instead of (or before) the normal answer.
 * Faults queue per path and are consumed in order.
 */
export interface Fault {
  /** Answer with this status instead of handling the request. */
  status?: number;
  /** Raw body to send with `status` (e.g. an HTML error page, truncated JSON, `''`). */
  body?: string;
  /** Content-Type for `body`; default `application/json` when body parses as JSON, else `text/plain`. */
  contentType?: string;
  /** Extra response headers, e.g. `{ 'Retry-After': '1' }`. */
  headers?: Record<string, string>;
  /** Wait this long before answering (or before handling normally when no `status`). */
  delayMs?: number;
  /** Destroy the connection without answering (ECONNRESET / "socket hang up" on the client). */
  drop?: boolean;
  /** How many requests this fault applies to; default 1. */
  times?: number;
}

/** A running simulator. */
export interface MockServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`, with no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Queue a fault for a path (`'/Auth/loginKey'`) or for every path (`'*'`). */
  inject(path: string, fault: Fault): void;
  /** Drop all queued faults. */
  clearFaults(): void;
  /**
   * Requests received per path, including faulted, failed and unknown-path ones, but not CORS
   * preflights (see {@link MockServer.preflights}). `calls()` is the total. Unknown paths are
   * counted one by one for the first 256 distinct ones, then only in the total, so endless
   * distinct paths cannot grow the server's memory.
   */
  calls(path?: string): number;
  /** `OPTIONS` preflights received per path (browsers send and cache them as they see fit); `preflights()` is the total. */
  preflights(path?: string): number;
  /** Requests answered 429 by the `rateLimits` (not injected faults) per path; `rateLimited()` is the total. */
  rateLimited(path?: string): number;
  /** Reset the call, preflight and rate-limited counters. */
  resetCalls(): void;
  /** Revoke every token issued so far (as a server-side logout would). */
  revokeAllTokens(): void;
  /** Add or replace a user at run time (e.g. to disable one mid-test). */
  setUser(user: MockUser): void;
  /** Stop listening and close open connections. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
