/**
 * The client-side rate limiter: a session waits before sending rather than collecting 429s.
 * In-process by default (`AuthSession({ rateLimit })`); `redisRateLimiter()` from
 * `@testmax/redis` shares one budget across a fleet.
 */
import type { TokenScope } from './token-store.js';

/** At most `limit` requests per `windowMs` to the paths the rule matches. */
export interface RateLimitRule {
  /**
   * Which endpoints the rule counts: a path such as `'/History/retrieveBars'` (matched
   * against the end of the request's path), a RegExp tested against the path, or none for
   * every endpoint. A request counts against every rule that matches it.
   */
  readonly path?: string | RegExp | undefined;
  readonly limit: number;
  readonly windowMs: number;
}

/** The gateway's documented limits: 200 / 60 s for every endpoint, 50 / 30 s for bars. */
export const GATEWAY_RATE_LIMITS: readonly RateLimitRule[] = Object.freeze([
  Object.freeze({ limit: 200, windowMs: 60_000 }),
  Object.freeze({ path: '/History/retrieveBars', limit: 50, windowMs: 30_000 }),
]);

/** One request about to be sent. */
export interface RateLimitedRequest {
  /** Budgets are per base URL and user (profiles of one user share the user's budget). */
  readonly scope: TokenScope;
  /** The request path, e.g. `/api/topstep-sim/Account/search`. */
  readonly path: string;
}

/** The place one request holds in its budgets, from when it may leave until it is over. */
export interface RateLimitPermit {
  /**
   * The request is over: its answer arrived, or it failed. From now on its place counts from
   * this moment rather than from when it left. The server counts a request when it arrives,
   * somewhere between the two, so a window counted from the end never overlaps the server's,
   * however long the request spent in transit (a fixed margin cannot promise that on a loaded
   * machine). A place is counted from when it left until then, so this holds for requests
   * over within one window (the SDK's default `timeoutMs`, 15 s, is within the gateway's
   * windows). Calling it again does nothing.
   */
  done(): void;
}

export interface RateLimiter {
  /**
   * Resolve when the request may be sent, having taken its place in every matching budget;
   * call the permit's `done()` when the request is over. Waiters are served first in, first
   * out. Rejects with the signal's reason when the signal fires first (the waiter then holds
   * no place). A limiter of your own may resolve to nothing: its places then count from when
   * requests leave.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a limiter of your own may be an async function returning nothing
  acquire(request: RateLimitedRequest, signal?: AbortSignal): Promise<RateLimitPermit | void>;
  /** The server answered 429 anyway: hold requests for this scope for `ms` before sending. */
  pause(request: RateLimitedRequest, ms: number): void;
  /** Release connections and timers the limiter opened itself. Optional. */
  close?(): Promise<void>;
}

/**
 * A rule as a {@link RateLimitBackend} enforces it: `windowMs` already holds the safety margin
 * (see {@link rateLimitWindowMs}), `id` names the rule within its limiter.
 */
export interface RateLimitBudgetRule {
  readonly id: number;
  /**
   * A stable name of the rule as configured (`"200/60000"`, `"50/30000 /history/retrievebars"`):
   * limiters configured alike count the same rule in a shared backend, whatever its `id`.
   */
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
}

/** What a backend answers when asked for a place. */
export type RateLimitAdmission =
  | {
      readonly granted: true;
      /** Whatever the backend needs to find the places again in {@link RateLimitBackend.release}. */
      readonly ticket?: unknown;
    }
  | {
      readonly granted: false;
      /** How long until the soonest place in every blocked rule frees (or the pause ends). */
      readonly waitMs: number;
      /** The rules that had no room; empty when the whole budget is paused. */
      readonly blocked: readonly number[];
    };

/**
 * Where budgets are counted: in this process (the default) or shared (Redis, in
 * `@testmax/redis`). {@link createRateLimiter} puts FIFO waiting, `AbortSignal`s and pauses
 * on top, so every backend behaves the same; a backend only counts.
 */
export interface RateLimitBackend {
  /**
   * Take a place in every given rule of `budget` at once (all or none), or say how long to
   * wait. Places are counted with a sliding window: a request is admitted when fewer than
   * `limit` requests of the rule were admitted in the last `windowMs`.
   */
  take(budget: string, rules: readonly RateLimitBudgetRule[]): Promise<RateLimitAdmission>;
  /**
   * The request that took `ticket` is over: count its places from now (see
   * {@link RateLimitPermit.done}). Optional: without it places count from when requests leave.
   */
  release?(budget: string, rules: readonly RateLimitBudgetRule[], ticket: unknown): Promise<void>;
  /** Hold `budget` for `ms` (a 429 arrived); shared with whoever else uses the backend. */
  pause(budget: string, ms: number): Promise<void>;
  close?(): Promise<void>;
}
